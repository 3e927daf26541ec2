import CZlib
import Foundation
import HDF5
import Tensor

/// The checksum stored with every tensor of a checkpoint (format_version 2 and later): the
/// CRC-32 of zlib, gzip and PNG (polynomial 0x04C11DB7, reflected, initial and final XOR
/// 0xFFFFFFFF) of the tensor's float32 values as little-endian bytes in row-major order,
/// stored as the UInt32 attribute `crc32` of its dataset. Python checks one with
/// `zlib.crc32(f["/ema"][name][()].astype("<f4").tobytes()) == f["/ema"][name].attrs["crc32"]`.
///
/// It is computed from memory when the checkpoint is written (one pass over the bytes,
/// several GB/s, against the file write and fsync that follow) and checked after the values
/// are read, so a damaged weight is refused instead of sampled from.
public enum TensorChecksum {
    /// The dataset attribute holding the checksum.
    public static let attribute = "crc32"

    /// CRC-32 of `values`' bytes (x86-64 and arm64 are little-endian, as the files are).
    public static func crc32(_ values: UnsafeBufferPointer<Float>) -> UInt32 {
        let bytes = UnsafeRawBufferPointer(values)
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return 0 }
        return UInt32(crc32_z(0, base.assumingMemoryBound(to: Bytef.self), bytes.count))
    }

    public static func crc32(_ tensor: Tensor) -> UInt32 {
        tensor.withUnsafeBufferPointer { crc32($0) }
    }

    /// Stores the checksum of `values` on `dataset`.
    static func store(_ values: UnsafeBufferPointer<Float>, on dataset: H5Dataset) throws {
        try dataset.setAttribute(attribute, crc32(values))
    }

    /// Checks `values`, just read from `dataset`, against the stored checksum. A mismatch or a
    /// missing checksum is a `CheckpointError` naming the tensor (`/ema/out.weight`).
    static func verify(_ values: UnsafeBufferPointer<Float>, against dataset: H5Dataset, file: String) throws {
        guard try dataset.hasAttribute(attribute) else {
            throw CheckpointError(path: file, "tensor \(dataset.path) has no \(attribute) checksum attribute; the file is damaged")
        }
        let stored = try dataset.attribute(attribute, as: UInt32.self)
        let computed = crc32(values)
        guard stored == computed else {
            throw CheckpointError(path: file, "tensor \(dataset.path) is damaged: its values have CRC-32 \(hex(computed)), the checksum stored when it was written is \(hex(stored))")
        }
    }

    static func hex(_ v: UInt32) -> String { String(format: "0x%08x", v) }
}
