import Foundation

/// What the report of a run folder shows, gathered from its files: the metrics lines that
/// parse (and how many did not), the resolved config, the sample grids (the first and the
/// newest ones), the checkpoints and whether the run is `COMPLETED`.
///
/// Gathering never fails: a file that is missing or unreadable leaves its part empty, and the
/// page says so.
public struct RunReport {
    /// A sample grid `samples/step-NNNNNNNN.png` and its bytes.
    public struct Grid {
        public var step: Int
        public var png: Data
    }

    /// A checkpoint `checkpoints/step-NNNNNNNN.h5`.
    public struct CheckpointFile {
        public var step: Int
        public var name: String
        public var bytes: Int
        public var modified: Date?
    }

    public var folder: RunFolder
    /// The run folder's name.
    public var name: String
    public var metricsFileExists: Bool
    /// The metrics lines that parse, in file order.
    public var records: [MetricsRecord]
    public var unparseableLines: Int
    /// `config.yaml`, nil when missing.
    public var config: String?
    /// The grids kept for the page, oldest first, and how many the folder holds.
    public var grids: [Grid]
    public var gridsInFolder: Int
    public var checkpoints: [CheckpointFile]
    /// The text of `COMPLETED` (nil when the run is not complete).
    public var completed: String?
    public var generated: Date

    /// Reads the run folder; keeps the first grid and the `newestGrids` newest.
    public static func gather(_ folder: RunFolder, newestGrids: Int = 12, now: Date = Date()) -> RunReport {
        let fm = FileManager.default
        let metricsFileExists = fm.fileExists(atPath: folder.metricsPath)
        var records: [MetricsRecord] = [], unparseable = 0
        if metricsFileExists, let read = try? MetricsLog.readParseable(folder.metricsPath) {
            (records, unparseable) = read
        }
        let config = try? String(contentsOfFile: folder.configPath, encoding: .utf8)

        let gridSteps = ((try? fm.contentsOfDirectory(atPath: folder.samplesPath)) ?? []).compactMap { name -> (Int, String)? in
            guard name.hasPrefix("step-"), name.hasSuffix(".png"), let step = Int(name.dropFirst(5).dropLast(4)) else { return nil }
            return (step, (folder.samplesPath as NSString).appendingPathComponent(name))
        }.sorted { $0.0 < $1.0 }
        let kept = gridSteps.count <= newestGrids + 1 ? gridSteps : [gridSteps[0]] + gridSteps.suffix(newestGrids)
        let grids = kept.compactMap { step, path in fm.contents(atPath: path).map { Grid(step: step, png: $0) } }

        let checkpoints = folder.checkpoints.checkpoints().map { c -> CheckpointFile in
            let attributes = try? fm.attributesOfItem(atPath: c.path)
            return CheckpointFile(step: c.step, name: (c.path as NSString).lastPathComponent,
                                  bytes: (attributes?[.size] as? Int) ?? 0, modified: attributes?[.modificationDate] as? Date)
        }
        let completed = try? String(contentsOfFile: (folder.path as NSString).appendingPathComponent(TrainingRun.completedMarker),
                                    encoding: .utf8)
        let name = (((folder.path as NSString).standardizingPath) as NSString).lastPathComponent
        return RunReport(folder: folder, name: name, metricsFileExists: metricsFileExists, records: records,
                         unparseableLines: unparseable, config: config, grids: grids, gridsInFolder: gridSteps.count,
                         checkpoints: checkpoints, completed: completed, generated: now)
    }

    /// The highest step the metrics, checkpoints or grids reach.
    public var lastStep: Int? {
        (records.map(\.step) + checkpoints.map(\.step) + grids.map(\.step)).max()
    }

    /// Training time: `elapsed_seconds` restarts at 0 when a run is resumed, so the time of
    /// each session (a stretch of lines whose elapsed time grows) is its last value, summed.
    public var trainingSessions: (seconds: Double, count: Int) {
        var total = 0.0, previous = -Double.infinity, count = 0
        for e in records.map(\.elapsedSeconds) where e.isFinite {
            if e < previous { total += previous }
            if e < previous || count == 0 { count += 1 }
            previous = e
        }
        if previous.isFinite { total += previous }
        return (total, count)
    }

    /// Whether any line carries sample-quality figures (`eval.every`).
    public var hasQuality: Bool { records.contains { $0.quality != nil } }
}
