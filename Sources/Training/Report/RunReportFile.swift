import Config
import Foundation
import Logging
import Sampling

extension RunFolder {
    /// `report.html`: the run report (`RunReportPage`).
    public var reportPath: String { file("report.html") }
}

/// Writing a run folder's `report.html`: by `diffuse-eval report`, and by rank 0 of the
/// trainer at every sample step and when it stops. The file is replaced atomically
/// (`AtomicOutput`), so a browser never reads half a page.
public enum RunReportFile {
    /// Gathers the run folder and writes its report; returns the path.
    @discardableResult
    public static func write(_ folder: RunFolder, to path: String? = nil) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TrainingError("\(folder.path): no such run folder")
        }
        let html = RunReportPage.html(RunReport.gather(folder))
        let out = path ?? folder.reportPath
        try AtomicOutput.write(to: out) { temporary in
            try html.write(toFile: temporary, atomically: false, encoding: .utf8)
        }
        return out
    }

    /// The trainer's refresh: a report that cannot be written is a warning, never an error of the run.
    static func refresh(_ folder: RunFolder, step: Int, logger: Logger) {
        do {
            try write(folder)
        } catch {
            logger.warning("step \(step): could not write the run report: \(error)")
        }
    }
}
