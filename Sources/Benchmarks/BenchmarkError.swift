/// A benchmark that cannot run as configured, with a message naming the configuration.
public struct BenchmarkError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
