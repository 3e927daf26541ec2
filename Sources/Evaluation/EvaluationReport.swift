import Foundation
import Sampling

/// The result of a `diffuse-eval` command: named metrics (with a standard error where one is
/// estimated), printed as a table and written as JSON.
public struct EvaluationReport: Codable, Equatable {
    public struct Metric: Codable, Equatable {
        public var name: String
        public var value: Double
        public var standardError: Double?
        public var note: String?

        public init(_ name: String, _ value: Double, standardError: Double? = nil, note: String? = nil) {
            self.name = name
            self.value = value
            self.standardError = standardError
            self.note = note
        }

        enum CodingKeys: String, CodingKey {
            case name, value, standardError = "standard_error", note
        }
    }

    public var command: String
    /// What was evaluated (a checkpoint path or a samples file) and against what data.
    public var source: String
    public var data: String
    public var metrics: [Metric]

    public init(command: String, source: String, data: String, metrics: [Metric]) {
        self.command = command
        self.source = source
        self.data = data
        self.metrics = metrics
    }

    public func value(_ name: String) -> Double? { metrics.first { $0.name == name }?.value }

    /// A fixed-width table: one row per metric.
    public func table() -> String {
        let width = max(6, metrics.map(\.name.count).max() ?? 6)
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        var lines = ["\(command): \(source) on \(data)", pad("metric", width) + "  " + pad("value", 14) + "  " + pad("std. error", 12) + "  note"]
        for m in metrics {
            let value = String(format: "%.6g", m.value)
            let se = m.standardError.map { String(format: "%.3g", $0) } ?? "-"
            lines.append(pad(m.name, width) + "  " + pad(value, 14) + "  " + pad(se, 12) + "  " + (m.note ?? ""))
        }
        return lines.joined(separator: "\n")
    }

    /// Writes the report as pretty-printed JSON (atomically).
    public func writeJSON(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(self)
        try AtomicOutput.write(to: path) { try data.write(to: URL(fileURLWithPath: $0)) }
    }
}
