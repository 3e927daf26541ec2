import Data
import Foundation

/// Writes an output file under a temporary name in its folder (created if missing) and renames
/// it into place: a failed or interrupted write never leaves a partial file or destroys an
/// existing one.
public enum AtomicOutput {
    public static func write(to path: String, _ body: (_ temporaryPath: String) throws -> Void) throws {
        try OutputFolder.create(for: path)
        let temporary = path + ".partial-\(getpid())"
        do {
            try body(temporary)
            guard rename(temporary, path) == 0 else {
                throw SamplingError("\(path): cannot rename \(temporary) into place: \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            if error is SamplingError { throw error }
            throw SamplingError("\(path): cannot write: \(error)")
        }
    }
}
