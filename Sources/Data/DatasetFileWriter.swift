import Foundation
import HDF5

/// Writes a dataset file (see `DatasetFormat`) sample rows at a time, so a large import or
/// generated set never needs to be in memory at once.
public final class DatasetFileWriter {
    public let path: String
    public let shape: [Int]
    public let elementType: DatasetFormat.ElementType
    private let file: H5File
    private let images: H5Dataset
    private var labels: H5Dataset?

    /// Creates (truncating) `path` with an `/images` dataset of `shape` ([N, C, H, W] or [N, D]).
    /// `compression` is a deflate level 0...9 (nil: contiguous, fastest random access).
    public init(path: String, shape: [Int], elementType: DatasetFormat.ElementType,
                valueRange: ClosedRange<Double>?, name: String, source: String,
                compression: Int? = nil) throws {
        guard shape.count == 2 || shape.count == 4, shape.allSatisfy({ $0 >= 0 }) else {
            throw DataError("\(path): dataset shape \(shape) must be [N, C, H, W] or [N, D]")
        }
        self.path = path
        self.shape = shape
        self.elementType = elementType
        try OutputFolder.create(for: path)
        file = try H5File.create(path)
        try file.setAttribute("format", DatasetFormat.formatName)
        try file.setAttribute("format_version", DatasetFormat.formatVersion)
        try file.setAttribute("name", name)
        try file.setAttribute("source", source)
        try file.setAttribute("created", ISO8601DateFormatter().string(from: Date()))
        let type: H5ElementType = elementType == .uint8 ? .uint8 : .float32
        var chunks: [Int]? = nil
        if compression != nil, shape[0] > 0 {
            let rowBytes = max(1, shape.dropFirst().reduce(1, *) * type.byteSize)
            chunks = [max(1, min(shape[0], (64 << 10) / rowBytes))] + shape.dropFirst().map { max(1, $0) }
        }
        images = try file.createDataset(DatasetFormat.imagesPath, elementType: type, shape: shape,
                                        chunkShape: chunks, compression: compression)
        try images.setAttribute("layout", shape.count == 4 ? "NCHW" : "ND")
        if let valueRange = valueRange {
            try images.setAttribute("value_range", [valueRange.lowerBound, valueRange.upperBound])
        }
    }

    /// Writes samples `rows` from `values` (uint8 files only).
    public func writeRows(_ rows: Range<Int>, _ values: [UInt8]) throws {
        guard elementType == .uint8 else { throw DataError("\(path): /images is \(elementType), not uint8") }
        try images.writeRows(rows, values)
    }

    /// Writes samples `rows` from `values` (float32 files only).
    public func writeRows(_ rows: Range<Int>, _ values: [Float]) throws {
        guard elementType == .float32 else { throw DataError("\(path): /images is \(elementType), not float32") }
        try images.writeRows(rows, values)
    }

    /// Writes all labels (one per sample) and the number of classes (max label + 1).
    public func writeLabels(_ values: [Int64]) throws {
        guard values.count == shape[0] else {
            throw DataError("\(path): \(values.count) labels for \(shape[0]) samples")
        }
        let dataset = try file.createDataset(DatasetFormat.labelsPath, values: values, shape: [values.count])
        try dataset.setAttribute("num_classes", (values.max() ?? -1) + 1)
        labels = dataset
    }

    /// Closes the file.
    public func finish() throws {
        try file.close()
    }

    /// Writes a whole in-memory array (and optional labels) to `path`.
    public static func write(_ array: ImageArray, labels: [Int64]? = nil, to path: String,
                             name: String, source: String, compression: Int? = nil) throws {
        let isBytes: Bool
        if case .uint8 = array.pixels { isBytes = true } else { isBytes = false }
        let writer = try DatasetFileWriter(path: path, shape: array.shape, elementType: isBytes ? .uint8 : .float32,
                                           valueRange: array.valueRange, name: name, source: source,
                                           compression: compression)
        switch array.pixels {
        case .uint8(let v): try writer.writeRows(0..<array.count, v)
        case .float32(let v): try writer.writeRows(0..<array.count, v)
        }
        if let labels = labels { try writer.writeLabels(labels) }
        try writer.finish()
    }
}
