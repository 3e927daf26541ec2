import Foundation

/// The one way a whole file is replaced atomically: it is written under a temporary name in its
/// own folder and then `rename(2)`d over the final name, which POSIX makes atomic within a file
/// system. A reader sees the old file or the new one, never half of either; a failed or
/// interrupted write leaves the old file as it was and removes the temporary one.
///
/// Used by the kernel cache, the run folder's text files, the sampler's and evaluator's outputs
/// (through `AtomicOutput`, which also creates the folder) and the checkpoint writer (which adds
/// an fsync of the file before the rename and of the folder after it, with `writeSynced` and
/// `fsync`).
public enum AtomicFile {
    /// Runs `body` with a temporary path next to `path` (`path` + `temporarySuffix`), then moves
    /// the file it wrote into place. On any failure the temporary file is removed and the error
    /// rethrown: `body`'s own errors unchanged, a failed rename as `AtomicFileError`.
    public static func write(to path: String, temporarySuffix: String = ".partial-\(getpid())",
                             _ body: (_ temporaryPath: String) throws -> Void) throws {
        let temporary = path + temporarySuffix
        do {
            try body(temporary)
            try moveIntoPlace(temporary, path)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    /// Replaces the file at `path` with `data`.
    public static func write(_ data: Data, to path: String) throws {
        try write(to: path) { try data.write(to: URL(fileURLWithPath: $0)) }
    }

    /// Replaces the file at `path` with `text` in UTF-8.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// `rename(temporary, final)`: the atomic step.
    public static func moveIntoPlace(_ temporary: String, _ final: String) throws {
        guard rename(temporary, final) == 0 else {
            throw AtomicFileError(path: final, "cannot rename \(temporary) into place: \(String(cString: strerror(errno)))")
        }
    }

    /// Writes `bytes` to a new file at `path` and fsyncs it; every failure (ENOSPC, EIO) throws.
    public static func writeSynced(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw AtomicFileError(path: path, "cannot create: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw AtomicFileError(path: path, "cannot write (\(written) of \(bytes.count) bytes written): \(String(cString: strerror(errno)))")
            }
            written += n
        }
        guard Foundation.fsync(fd) == 0 else { throw AtomicFileError(path: path, "fsync failed: \(String(cString: strerror(errno)))") }
    }

    /// Flushes a file's (or a folder's entries') data to the device.
    public static func fsync(path: String, directory: Bool) throws {
        let fd = open(path, directory ? (O_RDONLY | O_DIRECTORY) : O_RDONLY)
        guard fd >= 0 else { throw AtomicFileError(path: path, "cannot open for fsync: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard Foundation.fsync(fd) == 0 else {
            throw AtomicFileError(path: path, "fsync failed: \(String(cString: strerror(errno)))")
        }
    }
}

/// A file that `AtomicFile` could not write, create, sync or move into place.
public struct AtomicFileError: Error, CustomStringConvertible, LocalizedError, Equatable {
    public let path: String
    public let message: String

    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
    public var errorDescription: String? { description }
}
