import Foundation

/// The checkpoints folder of a run: listing, picking the newest complete checkpoint for
/// `--resume auto`, cleaning up temporary files of interrupted writes, and retention.
public struct CheckpointDirectory {
    public let path: String

    public init(path: String) { self.path = path }

    /// Complete checkpoints (final names `step-NNNNNNNN.h5`), oldest first.
    public func checkpoints() -> [(step: Int, path: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        var found: [(Int, String)] = []
        for name in names where name.hasPrefix("step-") && name.hasSuffix(".h5") {
            if let step = Int(name.dropFirst(5).dropLast(3)) {
                found.append((step, (path as NSString).appendingPathComponent(name)))
            }
        }
        return found.sorted { $0.0 < $1.0 }.map { (step: $0.0, path: $0.1) }
    }

    /// Temporary files left by interrupted writes.
    public func partialFiles() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { $0.hasSuffix(CheckpointWriter.partialSuffix) }
            .sorted().map { (path as NSString).appendingPathComponent($0) }
    }

    /// Deletes the temporary files of interrupted writes; returns their paths.
    @discardableResult
    public func removePartialFiles() -> [String] {
        let partial = partialFiles()
        for p in partial { try? FileManager.default.removeItem(atPath: p) }
        return partial
    }

    /// The newest checkpoint that opens and verifies (`CheckpointReader.verify`: every tensor
    /// matches its checksum), and the newer ones that did not (with why).
    public func newestValid() -> (path: String, metadata: CheckpointReader.Metadata, skipped: [String])? {
        let search = newestVerified()
        return search.newest.map { ($0.path, $0.metadata, search.skipped) }
    }

    /// The newest checkpoint that verifies, if any, and why each newer one (every one, when
    /// none verifies) was passed over: "<path>: <reason>".
    public func newestVerified() -> (newest: (path: String, metadata: CheckpointReader.Metadata)?, skipped: [String]) {
        var skipped: [String] = []
        for c in checkpoints().reversed() {
            do {
                return ((c.path, try CheckpointReader.verify(c.path)), skipped)
            } catch {
                skipped.append("\(error)")
            }
        }
        return (nil, skipped)
    }

    /// Deletes the checkpoints the policy does not keep; returns their paths.
    @discardableResult
    public func applyRetention(_ policy: RetentionPolicy) -> [String] {
        let all = checkpoints()
        let doomed = Set(policy.stepsToDelete(all.map(\.step)))
        var deleted: [String] = []
        for c in all where doomed.contains(c.step) {
            if (try? FileManager.default.removeItem(atPath: c.path)) != nil { deleted.append(c.path) }
        }
        return deleted
    }
}
