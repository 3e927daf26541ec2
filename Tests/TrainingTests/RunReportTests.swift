import Data
import Distributed
import Foundation
import Tensor
import XCTest
@testable import Training

/// The run report (`RunReport`, `RunReportPage`, `SVGLinePlot`) on synthetic run folders, and
/// the report a training run leaves.
final class RunReportTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try TrainerFixtures.temporaryFolder() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    // MARK: - Synthetic run folders

    static func record(step: Int, loss: Double = 0.5, gradNorm: Double = 1, elapsed: Double? = nil,
                       quality: SampleQualityRecord? = nil) -> MetricsRecord {
        MetricsRecord(step: step, samplesSeen: 8 * step, loss: loss, lossByTQuartile: [loss * 1.5, loss, nil, loss * 0.5],
                      gradNorm: gradNorm, lr: 1e-3 * Double(step), imagesPerSecond: 40 + Double(step % 3),
                      computeSeconds: 0.2, allreduceSeconds: 0.01, skippedSteps: 0,
                      elapsedSeconds: elapsed ?? Double(step) * 0.2, quality: quality)
    }

    /// A run folder with `records` in metrics.jsonl (through `MetricsLog`, as the trainer writes
    /// them), grids of the given steps, one checkpoint-named file and a config.
    func makeRun(_ name: String, records: [MetricsRecord], gridSteps: [Int] = [], config: String? = "name: demo\n") throws -> RunFolder {
        let folder = RunFolder(path: dir + "/" + name)
        try FileManager.default.createDirectory(atPath: folder.samplesPath, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder.checkpointsPath, withIntermediateDirectories: true)
        if !records.isEmpty {
            let log = try MetricsLog(path: folder.metricsPath)
            for r in records { try log.append(r) }
        }
        for (i, step) in gridSteps.enumerated() {
            let images = Tensor(shape: [4, 1, 4, 4], values: (0..<64).map { Float(($0 + i) % 7) / 3 - 1 })
            try ImageGrid.writePNG(images: images, columns: 2, path: folder.samplesPath + String(format: "/step-%08d.png", step))
        }
        if let config { try config.write(toFile: folder.configPath, atomically: true, encoding: .utf8) }
        return folder
    }

    // MARK: - Reading the page

    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    /// The `d` attribute of every series path, by series name, in page order.
    static func seriesPaths(_ html: String) -> [(name: String, d: String)] {
        let regex = try! NSRegularExpression(pattern: #"<path class="series" data-series="([^"]*)" stroke="[^"]*" d="([^"]*)"/>"#)
        let ns = html as NSString
        return regex.matches(in: html, range: NSRange(location: 0, length: ns.length)).map {
            (ns.substring(with: $0.range(at: 1)).replacingOccurrences(of: "&lt;", with: "<"), ns.substring(with: $0.range(at: 2)))
        }
    }

    /// Points drawn by a path (one M or L command each) and its pieces (M commands).
    static func points(_ d: String) -> (points: Int, pieces: Int) {
        (d.filter { $0 == "M" || $0 == "L" }.count, d.filter { $0 == "M" }.count)
    }

    // MARK: - Tests

    func testPageHasOnePlotPerCurveTheGridsAndTheEscapedConfig() throws {
        let folder = try makeRun("a", records: (1...10).map { Self.record(step: 10 * $0, loss: 1 / Double($0)) },
                                 gridSteps: [10, 50, 100], config: "name: a\nnote: \"<script>alert('x')</script> & more\"\n")
        try Data(repeating: 7, count: 2048).write(to: URL(fileURLWithPath: folder.checkpointsPath + "/step-00000100.h5"))
        let html = RunReportPage.html(RunReport.gather(folder))

        XCTAssertEqual(Self.count("<svg class=\"plot\"", in: html), 6)
        let paths = Self.seriesPaths(html)
        XCTAssertEqual(paths.map(\.name), ["loss", "t < ¼", "¼ ≤ t < ½", "½ ≤ t < ¾", "t ≥ ¾", "lr", "grad norm", "img/s", "compute", "allreduce"])
        for p in paths where p.name != "½ ≤ t < ¾" {
            XCTAssertEqual(Self.points(p.d).points, 10, p.name)
            XCTAssertEqual(Self.points(p.d).pieces, 1, p.name)
        }
        // The third quartile had no samples on any line: nothing drawn.
        XCTAssertEqual(Self.points(paths[3].d).points, 0)
        XCTAssertTrue(html.contains("no sample-quality measurements (set eval.every)"))

        // Grids: newest first, each the file's bytes as a data URI, with its step.
        for step in [10, 50, 100] {
            let png = try Data(contentsOf: URL(fileURLWithPath: folder.samplesPath + String(format: "/step-%08d.png", step)))
            XCTAssertTrue(html.contains("src=\"data:image/png;base64,\(png.base64EncodedString())\""), "grid \(step)")
            XCTAssertTrue(html.contains("<figcaption>step \(step)</figcaption>"))
        }
        let order = ["step 100<", "step 50<", "step 10<"].map { html.range(of: $0)!.lowerBound }
        XCTAssertEqual(order, order.sorted())
        XCTAssertEqual(Self.count("<img ", in: html), 3)

        // The config is escaped: no markup of its own reaches the page.
        XCTAssertTrue(html.contains("note: &quot;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more&quot;"))
        XCTAssertFalse(html.contains("<script>alert"))
        // Header and checkpoints.
        XCTAssertTrue(html.contains("<dt>last step</dt><dd>100</dd>"))
        XCTAssertTrue(html.contains("not completed"))
        XCTAssertTrue(html.contains("<td>step-00000100.h5</td><td class=\"num\">100</td><td class=\"num\">2.0 kB</td>"))
        // Self-contained: no address but the SVG namespace's.
        let rest = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        XCTAssertFalse(rest.contains("http") || rest.contains("url("))
    }

    func testQualityFiguresArePlottedWhenLinesCarryThem() throws {
        let q = { (fid: Double, agreement: Double?) in
            SampleQualityRecord(fid: fid, precision: 0.6, recall: 0.4, classAgreement: agreement, count: 256, seconds: 12)
        }
        let conditional = (1...10).map { Self.record(step: $0, quality: $0 % 4 == 0 ? q(100 / Double($0), 0.9) : nil) }
        var html = RunReportPage.html(RunReport.gather(try makeRun("cond", records: conditional)))
        XCTAssertEqual(Self.count("<svg class=\"plot\"", in: html), 9)
        let paths = Dictionary(Self.seriesPaths(html).map { ($0.name, $0.d) }, uniquingKeysWith: { a, _ in a })
        for name in ["FID", "precision", "recall", "class agreement"] {
            XCTAssertEqual(Self.points(paths[name]!).points, 2, name)   // steps 4 and 8
        }
        XCTAssertFalse(html.contains("set eval.every"))
        XCTAssertTrue(html.contains("<dt>FID</dt><dd>12.5 at step 8</dd>"))

        let unconditional = (1...10).map { Self.record(step: $0, quality: $0 % 5 == 0 ? q(30, nil) : nil) }
        html = RunReportPage.html(RunReport.gather(try makeRun("uncond", records: unconditional)))
        XCTAssertEqual(Self.count("<svg class=\"plot\"", in: html), 8)
        XCTAssertFalse(html.contains("Class agreement"))
    }

    func testNonFiniteValuesAreSkippedAndMarked() throws {
        var records = (1...10).map { Self.record(step: $0, loss: 0.1 * Double($0)) }
        records[4].loss = .nan
        records[4].lossByTQuartile = [.nan, .nan, nil, .nan]
        records[7].gradNorm = .infinity
        let folder = try makeRun("nan", records: records)
        let report = RunReport.gather(folder)
        XCTAssertEqual(report.records.count, 10)
        XCTAssertTrue(report.records[4].loss.isNaN)
        let html = RunReportPage.html(report)
        let paths = Dictionary(Self.seriesPaths(html).map { ($0.name, $0.d) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(Self.points(paths["loss"]!).points, 9)
        XCTAssertEqual(Self.points(paths["loss"]!).pieces, 2, "the line breaks at the NaN")
        XCTAssertEqual(Self.points(paths["grad norm"]!).points, 9)
        XCTAssertFalse(html.contains("NaN") || html.contains("nan\""), "no NaN coordinates")
        XCTAssertTrue(html.contains("<title>step 5: loss = nan</title>"))
        XCTAssertTrue(html.contains("<title>step 8: grad norm = inf</title>"))
        // One mark under the loss and one under the gradient norm; three under the quartiles.
        XCTAssertEqual(Self.count("<p class=\"warn\">1 non-finite value not drawn", in: html), 2)
        XCTAssertTrue(html.contains("<p class=\"warn\">3 non-finite values not drawn"))
    }

    func testMissingFilesGiveAValidPageAndUnparseableLinesAreCounted() throws {
        let empty = RunFolder(path: dir + "/empty")
        try FileManager.default.createDirectory(atPath: empty.path, withIntermediateDirectories: true)
        var html = RunReportPage.html(RunReport.gather(empty))
        for note in ["no metrics.jsonl yet", "no sample grids yet", "no checkpoints yet", "no config.yaml",
                     "no sample-quality measurements (set eval.every)"] {
            XCTAssertTrue(html.contains(note), note)
        }
        XCTAssertEqual(Self.count("<svg", in: html), 0)
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertTrue(html.hasSuffix("</html>\n"))

        let folder = try makeRun("damaged", records: (1...4).map { Self.record(step: $0) })
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: folder.metricsPath))
        handle.seekToEndOfFile()
        handle.write(Data("not json\n{\"step\": 5, \"loss\": 0.1}\n{\"step\":6,\"samples_seen\":4".utf8))
        try handle.close()
        let report = RunReport.gather(folder)
        XCTAssertEqual(report.records.map(\.step), [1, 2, 3, 4])
        XCTAssertEqual(report.unparseableLines, 3)
        html = RunReportPage.html(report)
        XCTAssertTrue(html.contains("3 lines of metrics.jsonl could not be read and are left out"))
        XCTAssertEqual(Self.count("<svg class=\"plot\"", in: html), 6)
    }

    func testManyGridsKeepTheFirstAndTheNewestTwelve() throws {
        let folder = try makeRun("grids", records: [], gridSteps: Array(1...20))
        let report = RunReport.gather(folder)
        XCTAssertEqual(report.grids.map(\.step), [1] + Array(9...20))
        XCTAssertEqual(report.gridsInFolder, 20)
        let html = RunReportPage.html(report)
        XCTAssertEqual(Self.count("<img ", in: html), 13)
        XCTAssertTrue(html.contains("the first and the 12 newest of 20 grids"))
        XCTAssertFalse(html.contains("<figcaption>step 8</figcaption>"))
    }

    func testTrainingTimeIsSummedOverResumedSessions() throws {
        let elapsed = [1.0, 2, 3, 0.5, 1.5, 2.5]
        let folder = try makeRun("resumed", records: elapsed.enumerated().map { Self.record(step: $0.offset + 1, elapsed: $0.element) })
        let sessions = RunReport.gather(folder).trainingSessions
        XCTAssertEqual(sessions.seconds, 5.5, accuracy: 1e-12)
        XCTAssertEqual(sessions.count, 2)
    }

    func testAxisTicksAtNiceNumbers() {
        let linear = AxisTicks.linear(0.13, 0.92)
        XCTAssertEqual(linear.values.count, 6)
        XCTAssertEqual(linear.values.map(linear.label), ["0", "0.2", "0.4", "0.6", "0.8", "1"])
        XCTAssertEqual(linear.lower, 0)
        XCTAssertEqual(linear.upper, 1, accuracy: 1e-12)
        let steps = AxisTicks.linear(0, 19_000, count: 6)
        XCTAssertEqual(steps.values.map(steps.label), ["0", "5k", "10k", "15k", "20k"])
        let log = AxisTicks.logarithmic(0.012, 9)
        XCTAssertEqual(log.values.map(log.label), ["0.01", "0.1", "1", "10"])
        let wide = AxisTicks.logarithmic(0.02, 40)
        XCTAssertEqual(wide.values.map(wide.label), ["0.1", "1", "10"])
        let narrow = AxisTicks.logarithmic(0.05, 0.3)
        XCTAssertEqual(narrow.values.map(narrow.label), ["0.05", "0.1", "0.2"])
        let tight = AxisTicks.logarithmic(0.55, 0.75)
        XCTAssertEqual(tight.values.map(tight.label), ["0.55", "0.6", "0.65", "0.7", "0.75"])
        XCTAssertEqual(AxisTicks.linear(0, 1e-3).label(3e-4), "3e-4")
        let constant = AxisTicks.linear(5, 5)
        XCTAssertTrue(constant.lower < 5 && constant.upper > 5 && constant.values.count >= 3, "a constant is widened around its value")
    }

    func testMinMaxDecimationKeepsSpikesAndGaps() {
        var points: [(x: Double, y: Double?)] = (0..<10_000).map { (Double($0), sin(Double($0) / 300)) }
        points[4321].y = 50
        points[7000].y = nil
        let thinned = MinMaxDecimation.thin(points, limit: 1000)
        XCTAssertLessThanOrEqual(thinned.count, 1100)
        XCTAssertEqual(thinned.compactMap(\.y).max(), 50)
        XCTAssertTrue(thinned.contains { $0.x == 4321 && $0.y == 50 })
        XCTAssertEqual(thinned.filter { $0.y == nil }.count, 1)
        XCTAssertEqual(thinned.map(\.x), thinned.map(\.x).sorted())
        XCTAssertEqual(MinMaxDecimation.thin(Array(points.prefix(50)), limit: 1000).count, 50)
    }

    func testHTMLEscaping() {
        XCTAssertEqual(HTMLEscaping.escape(#"<a href="x">Tom & Jerry's</a>"#),
                       "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;")
    }

    // MARK: - The trainer's report

    func trainTiny(_ run: String, overrides: [String] = []) throws -> RunFolder {
        let configPath = dir + "/tiny.yaml"
        try TrainerFixtures.yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
        let drawer: TrainingComponents.SampleDrawer = { _, count, _, _ in
            Tensor(shape: [count, 2], values: (0..<(2 * count)).map { Float($0 % 5) - 2 })
        }
        let options = TrainOptions(configPath: configPath, overrides: ["train.sample_every=3", "sample.count=16"] + overrides,
                                   runDirectory: dir + "/" + run)
        let outcome = try TrainingRun.run(options, communicator: SingleProcessCommunicator(),
                                          makeComponents: TrainerFixtures.components(drawSamples: drawer))
        XCTAssertEqual(outcome, .finished(step: 6))
        return RunFolder(path: dir + "/" + run)
    }

    func testTrainingLeavesAReportOfTheFinishedRun() throws {
        let folder = try trainTiny("trained")
        let html = try String(contentsOfFile: folder.reportPath, encoding: .utf8)
        XCTAssertEqual(Self.count("<svg class=\"plot\"", in: html), 6)
        XCTAssertEqual(Self.points(Self.seriesPaths(html)[0].d).points, 6)   // log_every 1, 6 steps
        XCTAssertEqual(Self.count("<img ", in: html), 2)                     // grids of steps 3 and 6
        XCTAssertTrue(html.contains("<span class=\"status done\">completed</span>"))
        XCTAssertTrue(html.contains("finished at step 6"))
        XCTAssertTrue(html.contains("<td>step-00000006.h5</td>"))
        XCTAssertEqual((try FileManager.default.contentsOfDirectory(atPath: folder.path)).filter { $0.contains("partial") }, [])
    }

    func testAReportThatCannotBeWrittenIsAWarningNotAFailure() throws {
        // A folder where report.html should be: every write of the report fails.
        let folder = RunFolder(path: dir + "/blocked")
        try FileManager.default.createDirectory(atPath: folder.reportPath + "/occupied", withIntermediateDirectories: true)
        _ = try trainTiny("blocked")
        XCTAssertNotNil(folder.checkpoints.checkpoints().last { $0.step == 6 })
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.path + "/COMPLETED"))
        let log = try String(contentsOfFile: folder.logPath, encoding: .utf8)
        XCTAssertEqual(Self.count("could not write the run report", in: log), 2, log)   // at step 3, and at the end
        XCTAssertThrowsError(try RunReportFile.write(RunFolder(path: dir + "/nonexistent"))) {
            XCTAssertEqual("\($0)", "\(dir)/nonexistent: no such run folder")
        }
    }
}
