/// Whether operations record a graph for `backward()`.
///
/// A task-local value, so a `withNoGrad` scope (sampling, evaluation) affects only the
/// code it wraps and no global state is mutated.
public enum GradMode {
    @TaskLocal public static var isEnabled: Bool = true
}

/// Runs `body` without recording a graph: results have no creator and no gradient.
@inlinable
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.$isEnabled.withValue(false) { try body() }
}
