import Foundation
import HDF5
import Tensor

/// A dataset file (see `DatasetFormat`) read by streaming: each request reads only the
/// samples asked for (consecutive indices in one hyperslab), so files larger than memory
/// work. With `loadIntoMemory` the whole file is read once at open.
public final class DatasetFile: Dataset {
    public let path: String
    public let count: Int
    public let sampleShape: [Int]
    public let elementType: DatasetFormat.ElementType
    /// Stored range mapped to `targetRange` (nil: values used as stored).
    public let valueRange: ClosedRange<Double>?
    public let scaling: ValueScaling
    public let hasLabels: Bool
    private let file: H5File
    private let images: H5Dataset
    private let labelDataset: H5Dataset?
    private let memory: InMemoryDataset?

    public init(path: String, targetRange: ClosedRange<Float> = -1...1, loadIntoMemory: Bool = false) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw DataError("\(path): no such dataset file") }
        guard !isDirectory.boolValue else { throw DataError("\(path): is a directory, expected a dataset file (.h5)") }
        do {
            file = try H5File.open(path)
        } catch {
            throw DataError("\(path): not a readable HDF5 file (truncated or not HDF5): \(error)")
        }
        if try file.hasAttribute("format") {
            let format = try file.stringAttribute("format")
            guard format == DatasetFormat.formatName else {
                throw DataError("\(path): root attribute format is '\(format)', expected '\(DatasetFormat.formatName)'")
            }
        }
        guard try file.containsDataset(DatasetFormat.imagesPath) else {
            throw DataError("\(path): no /images dataset (expected uint8 or float32 [N, C, H, W] or [N, D])")
        }
        images = try file.dataset(named: DatasetFormat.imagesPath)
        guard images.shape.count == 2 || images.shape.count == 4 else {
            throw DataError("\(path):/images has shape \(images.shape), expected [N, C, H, W] or [N, D]")
        }
        switch images.elementType {
        case .uint8: elementType = .uint8
        case .float32: elementType = .float32
        default: throw DataError("\(path):/images stores \(images.elementType), expected uint8 or float32")
        }
        count = images.shape[0]
        sampleShape = Array(images.shape.dropFirst())
        if try images.hasAttribute("value_range") {
            let range = try images.arrayAttribute("value_range", as: Double.self)
            guard range.count == 2, range[0] < range[1] else {
                throw DataError("\(path):/images attribute value_range is \(range), expected [low, high] with low < high")
            }
            valueRange = range[0]...range[1]
        } else {
            valueRange = elementType == .uint8 ? 0...255 : nil
        }
        scaling = ValueScaling(stored: valueRange, target: targetRange)
        if try file.containsDataset(DatasetFormat.labelsPath) {
            let labels = try file.dataset(named: DatasetFormat.labelsPath)
            guard labels.shape == [count] else {
                throw DataError("\(path):/labels has shape \(labels.shape), expected [\(count)] (one per image)")
            }
            labelDataset = labels
        } else {
            labelDataset = nil
        }
        hasLabels = labelDataset != nil
        if loadIntoMemory {
            let pixels: ImageArray.Pixels = elementType == .uint8
                ? .uint8(try images.read(as: UInt8.self)) : .float32(try images.read(as: Float.self))
            memory = InMemoryDataset(ImageArray(shape: images.shape, pixels: pixels, valueRange: valueRange),
                                     labels: try labelDataset?.read(as: Int64.self), targetRange: targetRange)
        } else {
            memory = nil
        }
    }

    /// A root attribute as text, if present (e.g. "source", "name", "created").
    public func rootAttribute(_ name: String) throws -> String? {
        try file.hasAttribute(name) ? try file.stringAttribute(name) : nil
    }

    public func samples(_ indices: [Int]) throws -> Tensor {
        if let memory = memory { return try memory.samples(indices) }
        checkIndices(indices, path)
        let per = sampleShape.reduce(1, *)
        let out = Tensor(uninitialized: [indices.count] + sampleShape)
        let y = out.pointer
        var buffer: [Float] = []
        for run in DatasetFile.runs(indices) {
            buffer = try images.readRows(run.rows, as: Float.self)
            for position in run.positions {
                let source = (indices[position] - run.rows.lowerBound) * per
                for e in 0..<per { y[position * per + e] = scaling(buffer[source + e]) }
            }
        }
        return out
    }

    public func labels(_ indices: [Int]) throws -> [Int64]? {
        if let memory = memory { return try memory.labels(indices) }
        guard let labelDataset = labelDataset else { return nil }
        checkIndices(indices, path)
        var result = [Int64](repeating: 0, count: indices.count)
        for run in DatasetFile.runs(indices) {
            let values = try labelDataset.readRows(run.rows, as: Int64.self)
            for position in run.positions { result[position] = values[indices[position] - run.rows.lowerBound] }
        }
        return result
    }

    /// Groups requested indices into runs of consecutive rows (after sorting), each with the
    /// request positions it serves, so a batch is a few hyperslab reads.
    static func runs(_ indices: [Int]) -> [(rows: Range<Int>, positions: [Int])] {
        let order = indices.indices.sorted { indices[$0] < indices[$1] }
        var result: [(rows: Range<Int>, positions: [Int])] = []
        for position in order {
            let index = indices[position]
            if let last = result.last, index <= last.rows.upperBound {
                result[result.count - 1].rows = last.rows.lowerBound..<max(last.rows.upperBound, index + 1)
                result[result.count - 1].positions.append(position)
            } else {
                result.append((index..<(index + 1), [position]))
            }
        }
        return result
    }
}
