import Config
import Foundation
import Tensor

/// One line of `metrics.jsonl`, written by rank 0 every `log_every` steps (and at the end).
/// Losses are means over the global batches since the previous line.
public struct MetricsRecord: Codable, Equatable, Sendable {
    public var step: Int
    public var samplesSeen: Int
    public var loss: Double
    /// Mean loss of the samples whose t fell in each quarter of [0, 1] (nil when none did).
    public var lossByTQuartile: [Double?]
    /// Global gradient norm before clipping, at the last step of the interval.
    public var gradNorm: Double
    public var lr: Double
    public var imagesPerSecond: Double
    /// Seconds per step spent computing (forward, backward, optimizer) and blocked waiting
    /// for the gradient allreduce (communication not hidden behind the backward pass).
    public var computeSeconds: Double
    public var allreduceSeconds: Double
    /// Steps skipped so far because of non-finite values (`nan_policy: skip`).
    public var skippedSteps: Int
    public var elapsedSeconds: Double
    /// Sample quality measured at this step (`eval.every`); absent on other lines.
    public var quality: SampleQualityRecord? = nil

    enum CodingKeys: String, CodingKey {
        case step, samplesSeen = "samples_seen", loss, lossByTQuartile = "loss_by_t_quartile", gradNorm = "grad_norm"
        case lr, imagesPerSecond = "images_per_second", computeSeconds = "compute_seconds"
        case allreduceSeconds = "allreduce_seconds", skippedSteps = "skipped_steps", elapsedSeconds = "elapsed_seconds"
        case quality
    }
}

/// Appends `MetricsRecord`s to a JSON-lines file, one flushed line each.
public final class MetricsLog {
    public let path: String
    private let handle: FileHandle
    private let encoder: JSONEncoder

    public init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw TrainingError("\(path): cannot create the metrics file")
            }
        }
        guard let h = FileHandle(forWritingAtPath: path) else { throw TrainingError("\(path): cannot open the metrics file for writing") }
        h.seekToEndOfFile()
        handle = h
        self.path = path
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    }

    public func append(_ record: MetricsRecord) throws {
        var data = try encoder.encode(record)
        data.append(0x0A)
        handle.write(data)
    }

    /// Every record of a metrics file (for tests and reports).
    public static func read(_ path: String) throws -> [MetricsRecord] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let decoder = recordDecoder()
        return try text.split(separator: "\n").map { try decoder.decode(MetricsRecord.self, from: Data($0.utf8)) }
    }

    /// The records of a metrics file that parse, and how many lines did not (a line cut by a
    /// killed writer, a foreign line): what a report shows of a file it must not refuse.
    public static func readParseable(_ path: String) throws -> (records: [MetricsRecord], unparseable: Int) {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let decoder = recordDecoder()
        var records: [MetricsRecord] = [], unparseable = 0
        for line in text.split(separator: "\n") where !line.allSatisfy(\.isWhitespace) {
            if let r = try? decoder.decode(MetricsRecord.self, from: Data(line.utf8)) { records.append(r) } else { unparseable += 1 }
        }
        return (records, unparseable)
    }

    /// A decoder of lines as `append` writes them (non-finite numbers as "nan", "inf", "-inf").
    static func recordDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    /// Drops the records after `step` (a run resumed from an older checkpoint repeats those
    /// steps, so the file stays one record per step). Unparseable lines are kept.
    public static func truncate(_ path: String, afterStep step: Int) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        let decoder = recordDecoder()
        let kept = text.split(separator: "\n").filter { line in
            guard let r = try? decoder.decode(MetricsRecord.self, from: Data(line.utf8)) else { return true }
            return r.step <= step
        }
        try AtomicFile.write(kept.joined(separator: "\n") + (kept.isEmpty ? "" : "\n"), to: path)
    }

    deinit { try? handle.close() }
}
