import Foundation

/// Writes an output file under a temporary name in its folder and renames it into place:
/// a failed or interrupted write never leaves a partial file or destroys an existing one.
public enum AtomicOutput {
    public static func write(to path: String, _ body: (_ temporaryPath: String) throws -> Void) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw SamplingError("\(path): cannot create the folder \(folder): \(error.localizedDescription)")
            }
        }
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
