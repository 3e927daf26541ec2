import Foundation
import Logging

/// Human log lines of a run: rank 0 logs from `info` up to stdout and `log.txt`; the other
/// ranks log only warnings and errors, to stderr, prefixed with their rank.
public struct RunLogHandler: LogHandler {
    final class Sink: @unchecked Sendable {
        let lock = NSLock()
        let file: FileHandle?
        init(filePath: String?) {
            if let filePath {
                if !FileManager.default.fileExists(atPath: filePath) { _ = FileManager.default.createFile(atPath: filePath, contents: nil) }
                file = FileHandle(forWritingAtPath: filePath)
                file?.seekToEndOfFile()
            } else {
                file = nil
            }
        }
        func write(_ line: String, toStderr: Bool) {
            lock.lock()
            defer { lock.unlock() }
            let data = Data((line + "\n").utf8)
            (toStderr ? FileHandle.standardError : FileHandle.standardOutput).write(data)
            file?.write(data)
        }
    }

    let rank: Int
    let sink: Sink
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level

    /// `filePath`: the run's `log.txt` (rank 0), or nil.
    public init(rank: Int, filePath: String?) {
        self.rank = rank
        sink = Sink(filePath: rank == 0 ? filePath : nil)
        logLevel = rank == 0 ? .info : .warning
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let level = event.level, message = event.message
        let stamp = ISO8601DateFormatter().string(from: Date())
        let tag = level >= .warning ? "\(level.rawValue.uppercased()): " : ""
        let prefix = rank == 0 ? "" : "[rank \(rank)] "
        sink.write("\(stamp) \(prefix)\(tag)\(message)", toStderr: rank != 0 || level >= .warning)
    }
}
