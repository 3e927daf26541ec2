import Foundation
import HDF5

/// A summary of a dataset file: shape, dtype, stored value range and the actual minimum and
/// maximum (streamed in runs of 4096 samples), label counts and provenance.
public struct DatasetInfo {
    public let path: String
    public let shape: [Int]
    public let elementType: DatasetFormat.ElementType
    public let valueRange: ClosedRange<Double>?
    public let minimum: Double
    public let maximum: Double
    public let mean: Double
    /// Count per label value, nil without labels.
    public let labelCounts: [Int64: Int]?
    public let name: String?
    public let source: String?
    public let created: String?

    public init(path: String) throws {
        let dataset = try DatasetFile(path: path)
        self.path = path
        shape = [dataset.count] + dataset.sampleShape
        elementType = dataset.elementType
        valueRange = dataset.valueRange
        let file = try H5File.open(path)
        let images = try file.dataset(named: DatasetFormat.imagesPath)
        var low = Double.infinity, high = -Double.infinity, total = 0.0
        for start in stride(from: 0, to: dataset.count, by: 4096) {
            let values = try images.readRows(start..<min(dataset.count, start + 4096), as: Float.self)
            for v in values {
                let x = Double(v)
                low = min(low, x); high = max(high, x); total += x
            }
        }
        let elements = shape.reduce(1, *)
        minimum = elements == 0 ? 0 : low
        maximum = elements == 0 ? 0 : high
        mean = elements == 0 ? 0 : total / Double(elements)
        if dataset.hasLabels {
            var counts: [Int64: Int] = [:]
            for label in try dataset.labels(Array(0..<dataset.count)) ?? [] { counts[label, default: 0] += 1 }
            labelCounts = counts
        } else {
            labelCounts = nil
        }
        name = try dataset.rootAttribute("name")
        source = try dataset.rootAttribute("source")
        created = try dataset.rootAttribute("created")
    }

    /// A human-readable report.
    public var description: String {
        var lines = ["file: \(path)"]
        if let name = name { lines.append("name: \(name)") }
        if let source = source { lines.append("source: \(source)") }
        if let created = created { lines.append("created: \(created)") }
        lines.append("images: \(elementType) \(shape) (\(shape.count == 4 ? "N x C x H x W" : "N x D"))")
        lines.append("value range: \(valueRange.map { "[\($0.lowerBound), \($0.upperBound)] -> model range" } ?? "none (values used as stored)")")
        lines.append(String(format: "values: min %.6g, max %.6g, mean %.6g", minimum, maximum, mean))
        if let labelCounts = labelCounts {
            let counts = labelCounts.keys.sorted().map { "\($0): \(labelCounts[$0]!)" }.joined(separator: ", ")
            lines.append("labels: \(labelCounts.count) classes (\(counts))")
        } else {
            lines.append("labels: none")
        }
        return lines.joined(separator: "\n")
    }
}
