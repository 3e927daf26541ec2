import Foundation
import Tensor

/// The datasets that need no files, by name: the 2-D toys ("two-moons", "eight-gaussians",
/// "swiss-roll", "checkerboard") and procedural shapes ("shapes16", "shapes28",
/// "shapes16-rgb", "shapes28-rgb").
public enum BuiltinDatasets {
    public static var names: [String] {
        ToyDataset.Kind.allCases.map(\.rawValue) + ["shapes16", "shapes28", "shapes16-rgb", "shapes28-rgb"]
    }

    /// The built-in dataset `name` with `count` samples drawn from `seed`.
    public static func make(_ name: String, count: Int, seed: UInt64, targetRange: ClosedRange<Float> = -1...1) throws -> Dataset {
        if let kind = ToyDataset.Kind(rawValue: name) {
            guard count >= 0 else { throw DataError("builtin \(name): count \(count) is negative") }
            return ToyDataset(kind: kind, count: count, seed: seed)
        }
        switch name {
        case "shapes16": return try ShapesDataset(count: count, size: 16, channels: 1, seed: seed, targetRange: targetRange)
        case "shapes28": return try ShapesDataset(count: count, size: 28, channels: 1, seed: seed, targetRange: targetRange)
        case "shapes16-rgb": return try ShapesDataset(count: count, size: 16, channels: 3, seed: seed, targetRange: targetRange)
        case "shapes28-rgb": return try ShapesDataset(count: count, size: 28, channels: 3, seed: seed, targetRange: targetRange)
        default:
            throw DataError("unknown builtin dataset '\(name)'; expected one of \(names.joined(separator: ", "))")
        }
    }

    /// Writes builtin `name` to a dataset file: toys as float32 [N, 2] (model values, no
    /// value_range), shapes as uint8 [N, C, H, W] (round(255 v), value_range [0, 255]) with
    /// labels (the shape kind). Written in runs of 1024 samples.
    public static func writeFile(_ name: String, count: Int, seed: UInt64, path: String, compression: Int? = nil) throws {
        let dataset = try make(name, count: count, seed: seed)
        let source = "builtin \(name), count \(count), seed \(seed)"
        if let shapes = dataset as? ShapesDataset {
            let writer = try DatasetFileWriter(path: path, shape: [count] + shapes.sampleShape, elementType: .uint8,
                                               valueRange: 0...255, name: name, source: source, compression: compression)
            for start in stride(from: 0, to: count, by: 1024) {
                let rows = start..<min(count, start + 1024)
                let bytes = rows.flatMap { shapes.render($0).map { UInt8((min(1, max(0, $0)) * 255).rounded()) } }
                try writer.writeRows(rows, bytes)
            }
            try writer.writeLabels((0..<count).map { Int64(shapes.label($0)) })
            try writer.finish()
        } else {
            let writer = try DatasetFileWriter(path: path, shape: [count] + dataset.sampleShape, elementType: .float32,
                                               valueRange: nil, name: name, source: source, compression: compression)
            for start in stride(from: 0, to: count, by: 1024) {
                let rows = start..<min(count, start + 1024)
                try writer.writeRows(rows, try dataset.samples(Array(rows)).scalars)
            }
            try writer.finish()
        }
    }
}
