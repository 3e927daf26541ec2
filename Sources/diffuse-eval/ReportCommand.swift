import ArgumentParser
import Config
import Foundation
import Training

/// `diffuse-eval report RUN_DIR`: writes the run's self-contained HTML report
/// (`RunReportFile`), by default RUN_DIR/report.html, and prints its path.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a run folder's report.html: curves, sample grids, checkpoints and config in one self-contained page.")

    @Argument(help: "The run folder (runs/<name>).") var runDir: String
    @Option(help: "Write the page here instead of RUN_DIR/report.html.") var out: String?

    func run() throws {
        do {
            print(try RunReportFile.write(RunFolder(path: runDir), to: out))
        } catch {
            FileHandle.standardError.write(Data("diffuse-eval report: error: \(ErrorParagraph.text(error))\n".utf8))
            throw ExitCode(1)
        }
    }
}
