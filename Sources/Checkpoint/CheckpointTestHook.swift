import Foundation

/// A test hook for the fault scripts (tests/faults/, issue 10), which drive real processes
/// and cannot pass a closure: the environment variable `DIFFUSE_TEST_CHECKPOINT_HOOK` makes
/// every `CheckpointWriter` without an explicit `beforeRename` misbehave once the temporary
/// file is complete and synced, just before the rename:
///
/// - `pause:SECONDS`: sleep, so that a `kill -9` can land while only the `.partial` file exists
///   (and concurrent readers get a long window in which to see it);
/// - `fail`: throw, as a write that fails at that point would.
///
/// Unset (always, outside those scripts) it has no effect.
public enum CheckpointTestHook {
    public static let variable = "DIFFUSE_TEST_CHECKPOINT_HOOK"

    /// The hook the environment asks for, or nil.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> ((String) throws -> Void)? {
        guard let value = environment[variable], !value.isEmpty else { return nil }
        if value == "fail" {
            return { path in throw CheckpointError(path: path, "write failed by \(variable)=fail (test hook)") }
        }
        if value.hasPrefix("pause:"), let seconds = Double(value.dropFirst(6)), seconds >= 0 {
            return { _ in usleep(UInt32(min(seconds, 3600) * 1_000_000)) }
        }
        return { path in throw CheckpointError(path: path, "\(variable)='\(value)' is not pause:SECONDS or fail") }
    }
}
