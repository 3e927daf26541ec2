import Checkpoint
import Data
import Foundation
import HDF5
import XCTest
@testable import Sampling
@testable import Training

/// A bounded fuzz pass (issue 10) over the importers (IDX raw and gzip, NPY, NPZ, PNG, CSV)
/// and the checkpoint loader: valid seed files mutated by truncation, byte flips and
/// header-field overwrites with extreme values (`FuzzMutator`, fixed seeds). Every case must
/// end in a valid result or a thrown error of the library's kind that names the file; a crash
/// (trap, precondition, out-of-bounds) fails the whole test run. About 3,500 cases in total;
/// FUZZ_TRACE=1 prints each case before it runs, to find the one that crashed.
final class FuzzTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try SampleFixtures.temporaryFolder() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func path(_ name: String) -> String { (dir as NSString).appendingPathComponent(name) }

    func write(_ bytes: [UInt8], _ file: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: file))
    }

    struct Tally: CustomStringConvertible {
        var accepted = 0, rejected = 0
        var byKind: [FuzzMutator.Kind: Int] = [:]
        var description: String {
            "\(accepted) accepted, \(rejected) rejected (" + FuzzMutator.Kind.allCases.map { "\($0.rawValue) \(byKind[$0] ?? 0)" }.joined(separator: ", ") + ")"
        }
    }

    /// Runs `cases` mutations of the seeds (round-robin), writing each to `target(seedIndex)`
    /// and calling `load`; a thrown error must satisfy `isExpected` and name the written file.
    func fuzz(_ label: String, seeds: [(bytes: [UInt8], headerBytes: Int)], cases: Int, seed: UInt64,
              target: (Int) -> String, isExpected: (Error) -> Bool,
              load: (_ seedIndex: Int, _ file: String) throws -> Void) throws -> Tally {
        var mutators = seeds.enumerated().map { FuzzMutator(seed: seed &+ UInt64($0.offset) &* 1_000_003, headerBytes: $0.element.headerBytes) }
        var tally = Tally()
        for k in 0..<cases {
            let s = k % seeds.count
            let (bytes, kind, what) = mutators[s].mutate(seeds[s].bytes)
            tally.byKind[kind, default: 0] += 1
            let file = target(s)
            if ProcessInfo.processInfo.environment["FUZZ_TRACE"] != nil { print("\(label) case \(k): \(what)"); fflush(stdout) }
            try write(bytes, file)
            do {
                try load(s, file)
                tally.accepted += 1
            } catch {
                tally.rejected += 1
                XCTAssertTrue(isExpected(error), "\(label) case \(k) (seed \(seed), \(what)): unexpected error type \(type(of: error)): \(error)")
                XCTAssertTrue("\(error)".contains(file), "\(label) case \(k) (\(what)): the error does not name \(file): \(error)")
            }
        }
        // Both outcomes occur, so the pass exercised the parsers beyond their first check.
        XCTAssertGreaterThan(tally.rejected, cases / 4, "\(label): \(tally)")
        return tally
    }

    func isDataError(_ e: Error) -> Bool { e is DataError }

    /// The imported samples are self-consistent: pixel count is the product of the shape.
    func checkImported(_ d: ImportedDataset) {
        XCTAssertEqual(d.images.pixels.count, d.images.shape.reduce(1, *))
        if let labels = d.labels { XCTAssertEqual(labels.count, d.images.count) }
    }

    func testIDXImporter() throws {
        let images = FuzzSeeds.idxImages(n: 3, h: 4, w: 5)
        let labels = FuzzSeeds.idxLabels([1, 7, 3])
        try write(labels, path("good-labels.idx"))
        try write(images, path("good-images.idx"))
        let seeds = [(images, 16), (FuzzSeeds.gzip(images), 24), (labels, 8), (FuzzSeeds.gzip(labels), 24)]
        let tally = try fuzz("idx", seeds: seeds, cases: 800, seed: 10, target: { path("case-\($0).idx") }, isExpected: isDataError) { s, file in
            let options = s < 2 ? DatasetImport.Options(inputs: [file], labels: path("good-labels.idx"))
                                : DatasetImport.Options(inputs: [path("good-images.idx")], labels: file)
            checkImported(try DatasetImport.read(.idx, options))
        }
        print("fuzz idx: \(tally)")
    }

    func testNPYImporter() throws {
        let u8 = FuzzSeeds.npy(descr: "|u1", shape: [2, 3, 4], payload: (0..<24).map { UInt8($0 * 9) })
        let f32 = FuzzSeeds.npyFloat32(shape: [2, 2, 3, 1])
        let vectors = FuzzSeeds.npyFloat32(shape: [5, 2])
        let labels = FuzzSeeds.npy(descr: "<i8", shape: [2], payload: FuzzSeeds.le(4, 8) + FuzzSeeds.le(1, 8))
        try write(u8, path("good.npy"))
        let seeds = [(u8, 80), (f32, 80), (vectors, 80), (labels, 80)]
        let tally = try fuzz("npy", seeds: seeds, cases: 800, seed: 20, target: { path("case-\($0).npy") }, isExpected: isDataError) { s, file in
            let options = s < 3 ? DatasetImport.Options(inputs: [file]) : DatasetImport.Options(inputs: [path("good.npy")], labels: file)
            checkImported(try DatasetImport.read(.npy, options))
        }
        print("fuzz npy: \(tally)")
    }

    func testNPZImporter() throws {
        let images = FuzzSeeds.npy(descr: "|u1", shape: [2, 2, 2], payload: [0, 50, 100, 150, 200, 250, 1, 2])
        let labels = FuzzSeeds.npy(descr: "<i4", shape: [2], payload: FuzzSeeds.le(3, 4) + FuzzSeeds.le(9, 4))
        let stored = FuzzSeeds.zip([("x.npy", images, false), ("y.npy", labels, false)])
        let deflated = FuzzSeeds.zip([("images.npy", images, true), ("labels.npy", labels, true)])
        // Central-directory fields sit near the end: mutate the whole (small) archive.
        let seeds = [(stored, stored.count), (deflated, deflated.count)]
        let tally = try fuzz("npz", seeds: seeds, cases: 600, seed: 30, target: { path("case-\($0).npz") }, isExpected: isDataError) { _, file in
            checkImported(try DatasetImport.read(.npz, DatasetImport.Options(inputs: [file])))
        }
        print("fuzz npz: \(tally)")
    }

    func testPNGImporter() throws {
        let gray = PNGImage(width: 5, height: 4, channels: 1, pixels: (0..<20).map { UInt8($0 * 12) })
        let rgb = PNGImage(width: 3, height: 3, channels: 3, pixels: (0..<27).map { UInt8($0 * 9) })
        try gray.write(path: path("gray.png"))
        try rgb.write(path: path("rgb.png"))
        let seeds = [([UInt8](try Data(contentsOf: URL(fileURLWithPath: path("gray.png")))), 33),
                     ([UInt8](try Data(contentsOf: URL(fileURLWithPath: path("rgb.png")))), 33)]
        let folder = path("folder")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let tally = try fuzz("png", seeds: seeds, cases: 500, seed: 40, target: { _ in (folder as NSString).appendingPathComponent("b.png") },
                             isExpected: isDataError) { s, file in
            let image = try PNGImage.read(path: file)
            XCTAssertEqual(image.pixels.count, image.width * image.height * image.channels)
            checkImported(try PNGFolderImporter.read(folder: folder, channels: s == 0 ? 1 : 3, size: 4))
        }
        print("fuzz png: \(tally)")
    }

    /// PNG with a header that is valid (CRC recomputed) but announces an absurd size.
    func testPNGWithHugeDimensionsIsRefused() throws {
        try PNGImage(width: 2, height: 2, channels: 1, pixels: [0, 1, 2, 3]).write(path: path("small.png"))
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path("small.png"))))
        // IHDR data is bytes 16..<29 (width, height big-endian), its CRC 29..<33 over 12..<29.
        bytes.replaceSubrange(16..<24, with: FuzzSeeds.be32(1_000_000) + FuzzSeeds.be32(1_000_000))
        bytes.replaceSubrange(29..<33, with: FuzzSeeds.be32(CRC32.checksum(Array(bytes[12..<29]))))
        try write(bytes, path("huge.png"))
        XCTAssertThrowsError(try PNGImage.read(path: path("huge.png"))) { error in
            XCTAssertTrue(error is DataError, "\(error)")
            XCTAssertTrue("\(error)".contains("huge.png"), "\(error)")
        }
    }

    func testCSVImporter() throws {
        let seeds = [(FuzzSeeds.csv(rows: 4, pixels: 4), 40), (FuzzSeeds.csv(rows: 3, pixels: 9), 60)]
        let tally = try fuzz("csv", seeds: seeds, cases: 500, seed: 50, target: { path("case-\($0).csv") }, isExpected: isDataError) { s, file in
            checkImported(try DatasetImport.read(.csv, DatasetImport.Options(inputs: [file], labelColumn: true)))
        }
        print("fuzz csv: \(tally)")
    }

    /// Mutated dataset files through `DatasetFile` (what training and diffuse-data open),
    /// reading every sample and label of the ones that open.
    func testDatasetFileLoader() throws {
        try BuiltinDatasets.writeFile("shapes16", count: 6, seed: 2, path: path("shapes.h5"))
        try BuiltinDatasets.writeFile("two-moons", count: 20, seed: 2, path: path("moons.h5"))
        let seeds = try ["shapes.h5", "moons.h5"].map { ([UInt8](try Data(contentsOf: URL(fileURLWithPath: path($0)))), 512) }
        let tally = try fuzz("dataset", seeds: seeds, cases: 300, seed: 70, target: { path("case-\($0).h5") },
                             isExpected: { $0 is DataError || $0 is HDF5Error }) { _, file in
            let d = try DatasetFile(path: file)
            let all = Array(0..<d.count)
            let samples = try d.samples(all)
            XCTAssertEqual(samples.shape, [d.count] + d.sampleShape)
            if let labels = try d.labels(all) { XCTAssertEqual(labels.count, d.count) }
        }
        print("fuzz dataset: \(tally)")
    }

    /// Mutated checkpoints through the reader (fixed layout) and through `CheckpointModel`
    /// (stored config, model rebuilt), as `--resume` and diffuse-sample use them.
    func testCheckpointLoader() throws {
        let good = try SampleFixtures.writeCheckpoint(yaml: SampleFixtures.mlpYAML, directory: path("good"))
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: good)))
        let layoutModel = try CheckpointModel(path: good, weights: .model)
        let named = layoutModel.backbone.namedParameters
        let layout = (names: named.map(\.name), shapes: named.map { $0.variable.value.shape })
        let tally = try fuzz("checkpoint", seeds: [(bytes, 512)], cases: 300, seed: 60, target: { _ in path("case.h5") },
                             isExpected: { $0 is CheckpointError }) { _, file in
            let state = try CheckpointReader.read(file, layout: layout)
            XCTAssertEqual(state.model.values.count, layoutModel.backbone.parameters.reduce(0) { $0 + $1.value.count })
            _ = try CheckpointModel(path: file, weights: .ema)
        }
        print("fuzz checkpoint: \(tally)")
    }
}

/// Header fields set to values whose arithmetic overflows or whose buffers are empty: the
/// targeted cases the random pass is unlikely to combine.
final class AbsurdHeaderTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try SampleFixtures.temporaryFolder() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func refused(_ bytes: [UInt8], _ name: String, _ format: DatasetImport.Format, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = (dir as NSString).appendingPathComponent(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try DatasetImport.read(format, DatasetImport.Options(inputs: [path])), file: file, line: line) { error in
            XCTAssertTrue(error is DataError, "\(error)", file: file, line: line)
            XCTAssertTrue("\(error)".contains(path), "\(error)", file: file, line: line)
        }
    }

    func testIDXDimensionsWhoseProductOverflows() throws {
        let max = FuzzSeeds.be32(0xFFFF_FFFF)
        try refused(FuzzSeeds.be32(0x0803) + max + max + max + [1, 2, 3], "overflow.idx", .idx)
    }

    func testNPYShapeWhoseProductOverflows() throws {
        try refused(FuzzSeeds.npy(descr: "<f4", shape: [Int.max, Int.max], payload: [0, 0, 0, 0]), "overflow.npy", .npy)
        try refused(FuzzSeeds.npy(descr: "<f8", shape: [Int.max / 4, 1], payload: [0, 0, 0, 0]), "width-overflow.npy", .npy)
    }

    func testNPZEntriesWithEmptyOrHugeSizes() throws {
        let npy = FuzzSeeds.npyFloat32(shape: [2, 2])
        var empty = FuzzSeeds.zip([("x.npy", npy, true)])
        // The deflated entry's compressed size (local header offset 18, directory offset 20) set to 0.
        let directory = empty.count - 22 - (46 + 5)
        empty.replaceSubrange(18..<22, with: FuzzSeeds.le(0, 4))
        empty.replaceSubrange((directory + 20)..<(directory + 24), with: FuzzSeeds.le(0, 4))
        try refused(empty, "empty-entry.npz", .npz)

        // ZIP64: sizes and offset 0xFFFFFFFF in the directory, 64-bit values near Int.max in the extra field.
        var huge = FuzzSeeds.zip([("x.npy", npy, false)])
        let d = huge.count - 22 - (46 + 5)
        huge.replaceSubrange((d + 20)..<(d + 28), with: FuzzSeeds.le(0xFFFF_FFFF, 4) + FuzzSeeds.le(0xFFFF_FFFF, 4))
        huge.replaceSubrange((d + 42)..<(d + 46), with: FuzzSeeds.le(0xFFFF_FFFF, 4))
        huge.replaceSubrange((d + 30)..<(d + 32), with: FuzzSeeds.le(28, 2))
        let extra = FuzzSeeds.le(1, 2) + FuzzSeeds.le(24, 2) + FuzzSeeds.le(UInt64.max, 8) + FuzzSeeds.le(UInt64(Int.max), 8) + FuzzSeeds.le(UInt64(Int.max) - 5, 8)
        huge.insert(contentsOf: extra, at: d + 46 + 5)
        // The end record's directory size grows by the extra field.
        let end = huge.count - 22
        huge.replaceSubrange((end + 12)..<(end + 16), with: FuzzSeeds.le(UInt64(46 + 5 + 28), 4))
        try refused(huge, "zip64.npz", .npz)
    }
}
