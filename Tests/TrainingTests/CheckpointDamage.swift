import Checkpoint
import Foundation
import HDF5

/// Checkpoints made bad on purpose, for the fallback tests.
enum CheckpointDamage {
    /// Rewrites tensor `/group/name` of `path` with its first value changed, keeping the stored
    /// checksum: the file still opens, but that tensor no longer verifies.
    static func corrupt(_ path: String, group: String, tensor name: String) throws {
        let file = try H5File.open(path, readOnly: false)
        defer { try? file.close() }
        let dataset = try file.group(named: group).dataset(named: name)
        var values = try dataset.read(as: Float.self)
        values[0] += 1
        try dataset.write(values)
    }

    /// Makes `path` what a build before checksums wrote: format_version 1, no `crc32` attributes.
    static func makeFormatVersion1(_ path: String) throws {
        let file = try H5File.open(path, readOnly: false)
        defer { try? file.close() }
        try file.setAttribute("format_version", Int64(1))
        for group in try CheckpointReader.tensorGroups(file) {
            for name in try group.memberNames() { try group.dataset(named: name).removeAttribute(TensorChecksum.attribute) }
        }
    }
}
