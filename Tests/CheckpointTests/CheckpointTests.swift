import XCTest
import Foundation
import HDF5
import Tensor
@testable import Checkpoint

final class CheckpointTests: XCTestCase {
    var dir: String = ""

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    func tensors(_ seed: Float) -> FlatTensors {
        let shapes = [[2, 3], [3], [1, 1, 2, 2]]
        let values = Tensor(shape: [13], values: (0..<13).map { Float($0) * 0.5 + seed })
        return FlatTensors(names: ["lin.weight", "lin.bias", "conv.weight"], shapes: shapes, values: values)
    }

    let layout = (names: ["lin.weight", "lin.bias", "conv.weight"], shapes: [[2, 3], [3], [1, 1, 2, 2]])

    func read(_ path: String) throws -> CheckpointState { try CheckpointReader.read(path, layout: layout) }

    func state(step: Int, seed: Float = 1) -> CheckpointState {
        let model = tensors(seed)
        let optimizer = OptimizerCheckpoint(kind: "adam", step: step, hyperparameters: ["lr": 2e-4, "beta1": 0.9],
                                            moments: ["exp_avg": tensors(seed + 10), "exp_avg_sq": tensors(seed + 20)])
        return CheckpointState(step: step, samplesSeen: step * 8, worldSize: 2, config: "train:\n  steps: 5\n",
                               softwareVersion: "test", model: model, ema: tensors(seed + 100), optimizer: optimizer,
                               rngSeed: 0xDEAD_BEEF_0123_4567, data: ["epoch": 3, "position": 17], train: ["skipped_steps": 2])
    }

    func testRoundTrip() throws {
        let path = try CheckpointWriter(directory: dir).write(state(step: 7))
        XCTAssertEqual((path as NSString).lastPathComponent, "step-00000007.h5")
        let s = try read(path)
        XCTAssertEqual(s.step, 7)
        XCTAssertEqual(s.samplesSeen, 56)
        XCTAssertEqual(s.worldSize, 2)
        XCTAssertEqual(s.config, "train:\n  steps: 5\n")
        XCTAssertEqual(s.rngSeed, 0xDEAD_BEEF_0123_4567)
        XCTAssertEqual(s.data, ["epoch": 3, "position": 17])
        XCTAssertEqual(s.train, ["skipped_steps": 2])
        XCTAssertFalse(s.created.isEmpty)
        XCTAssertEqual(s.model.values.scalars, tensors(1).values.scalars)
        XCTAssertEqual(s.ema!.values.scalars, tensors(101).values.scalars)
        let o = try XCTUnwrap(s.optimizer)
        XCTAssertEqual(o.kind, "adam")
        XCTAssertEqual(o.step, 7)
        XCTAssertEqual(o.hyperparameters, ["lr": 2e-4, "beta1": 0.9])
        XCTAssertEqual(o.moments["exp_avg_sq"]!.values.scalars, tensors(21).values.scalars)
        // Layout readable by name, as h5py would see it.
        let f = try H5File.open(path)
        XCTAssertEqual(try f.stringAttribute("format"), "diffuse.checkpoint")
        XCTAssertEqual(try f.group(named: "model").dataset(named: "conv.weight").shape, [1, 1, 2, 2])
        XCTAssertEqual(try f.group(named: "optimizer").group(named: "exp_avg").dataset(named: "lin.bias").read(as: Float.self), [14, 14.5, 15])
        try f.close()
    }

    func testMismatchedNamesReportedTogether() throws {
        let path = try CheckpointWriter(directory: dir).write(state(step: 1))
        XCTAssertThrowsError(try CheckpointReader.read(path, layout: (["lin.weight", "lin.bias", "head.weight"], [[2, 2], [3], [4]]))) { e in
            XCTAssertEqual("\(e)", "\(path): weights in \(path):/model do not match the model: missing 1: head.weight; unexpected 1: conv.weight; mis-shaped 1: lin.weight (expected [2, 2], found [2, 3])")
        }
    }

    func testRetentionPolicy() {
        let p = RetentionPolicy(keepLast: 2, keepEvery: 100)
        XCTAssertEqual(p.stepsToDelete([50, 100, 150, 200, 250, 300]), [50, 150])
        XCTAssertEqual(RetentionPolicy(keepLast: 3).stepsToDelete([1, 2, 3, 4, 5]), [1, 2])
        XCTAssertEqual(RetentionPolicy(keepLast: 3).stepsToDelete([4, 5]), [])
    }

    func testRetentionOnDisk() throws {
        let w = CheckpointWriter(directory: dir)
        for step in [10, 20, 30, 40, 50] { try w.write(state(step: step)) }
        let d = CheckpointDirectory(path: dir)
        let deleted = d.applyRetention(RetentionPolicy(keepLast: 2, keepEvery: 20))
        XCTAssertEqual(deleted.map { ($0 as NSString).lastPathComponent }, ["step-00000010.h5", "step-00000030.h5"])
        XCTAssertEqual(d.checkpoints().map(\.step), [20, 40, 50])
    }

    func testCrashBeforeRenameKeepsPreviousCheckpoint() throws {
        try CheckpointWriter(directory: dir).write(state(step: 10))
        struct Crash: Error {}
        var sawTemporary = false
        let failing = CheckpointWriter(directory: dir) { temporary in
            sawTemporary = FileManager.default.fileExists(atPath: temporary)
            throw Crash()
        }
        XCTAssertThrowsError(try failing.write(state(step: 20, seed: 5))) { e in
            XCTAssertTrue("\(e)".contains("older checkpoints are untouched"), "\(e)")
        }
        XCTAssertTrue(sawTemporary)
        let d = CheckpointDirectory(path: dir)
        XCTAssertEqual(d.checkpoints().map(\.step), [10])
        XCTAssertEqual(d.partialFiles(), [])
        let newest = try XCTUnwrap(d.newestValid())
        XCTAssertEqual(newest.metadata.step, 10)
        XCTAssertEqual(try read(newest.path).model.values.scalars, tensors(1).values.scalars)
    }

    func testOverwritingFailureLeavesSameStepIntact() throws {
        try CheckpointWriter(directory: dir).write(state(step: 10, seed: 1))
        struct Crash: Error {}
        XCTAssertThrowsError(try CheckpointWriter(directory: dir) { _ in throw Crash() }.write(state(step: 10, seed: 9)))
        XCTAssertEqual(try read(dir + "/step-00000010.h5").model.values.scalars, tensors(1).values.scalars)
    }

    func testTruncatedAndForeignFilesRefusedAndSkipped() throws {
        let w = CheckpointWriter(directory: dir)
        try w.write(state(step: 10))
        let newer = try w.write(state(step: 20))
        // Truncate the newer one to half its size.
        let data = try Data(contentsOf: URL(fileURLWithPath: newer))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: newer))
        XCTAssertThrowsError(try read(newer)) { e in
            XCTAssertTrue("\(e)".hasPrefix("\(newer): "), "\(e)")
            XCTAssertTrue("\(e)".contains("truncated") || "\(e)".contains("damaged"), "\(e)")
        }
        // A leftover partial file of an interrupted write.
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/step-00000030.h5.partial"))
        let d = CheckpointDirectory(path: dir)
        let newest = try XCTUnwrap(d.newestValid())
        XCTAssertEqual(newest.metadata.step, 10)
        XCTAssertEqual(newest.skipped.count, 1)
        XCTAssertEqual(d.removePartialFiles().map { ($0 as NSString).lastPathComponent }, ["step-00000030.h5.partial"])
        XCTAssertEqual(d.partialFiles(), [])

        // An HDF5 file that is not a checkpoint.
        let foreign = dir + "/foreign.h5"
        let f = try H5File.create(foreign)
        try f.createDataset("images", values: [Float(1)], shape: [1])
        try f.close()
        XCTAssertThrowsError(try read(foreign)) { e in
            XCTAssertEqual("\(e)", "\(foreign): not a Diffuse checkpoint (the root attribute format is not \"diffuse.checkpoint\")")
        }
        XCTAssertThrowsError(try read(dir)) { e in
            XCTAssertTrue("\(e)".contains("is a directory"), "\(e)")
        }
        XCTAssertThrowsError(try read(dir + "/none.h5")) { e in
            XCTAssertEqual("\(e)", "\(dir)/none.h5: no such checkpoint file")
        }
    }

    /// Flips one bit of `values`' bytes where they lie in the file, as a bad disk or a bad copy would.
    func flipBit(in path: String, ofValues values: [Float]) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let pattern = values.withUnsafeBytes { [UInt8]($0) }
        let at = try XCTUnwrap((0...(bytes.count - pattern.count)).first { bytes[$0..<($0 + pattern.count)].elementsEqual(pattern) },
                               "the values are not stored contiguously in \(path)")
        bytes[at + 5] ^= 0x04
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    func testEveryTensorCarriesItsCRC32() throws {
        let path = try CheckpointWriter(directory: dir).write(state(step: 3))
        let f = try H5File.open(path)
        defer { try? f.close() }
        XCTAssertEqual(try f.attribute("format_version", as: Int64.self), 2)
        let groups = try CheckpointReader.tensorGroups(f)
        XCTAssertEqual(groups.map(\.path), ["/model", "/ema", "/optimizer/exp_avg", "/optimizer/exp_avg_sq"])
        for group in groups {
            for name in try group.memberNames() {
                let d = try group.dataset(named: name)
                let values = try d.read(as: Float.self)
                XCTAssertEqual(try d.attribute("crc32", as: UInt32.self), values.withUnsafeBufferPointer { TensorChecksum.crc32($0) })
            }
        }
        // What Python gives: zlib.crc32(struct.pack("<2f", 1, -2)) and of the tensors(1) values.
        XCTAssertEqual(TensorChecksum.crc32(Tensor(shape: [2], values: [1, -2])), 0xC387_2656)
        XCTAssertEqual(TensorChecksum.crc32(Tensor(shape: [0], values: [])), 0)
    }

    func testDamagedTensorIsRefusedByNameAndSkippedForAnOlderOne() throws {
        let w = CheckpointWriter(directory: dir)
        try w.write(state(step: 10))
        let newer = try w.write(state(step: 20))
        // /ema/conv.weight of step 20 holds 105.5, 106, 106.5, 107 (tensors(101), elements 9...12).
        try flipBit(in: newer, ofValues: [105.5, 106, 106.5, 107])
        let expected = "tensor /ema/conv.weight is damaged: its values have CRC-32 "
        XCTAssertThrowsError(try read(newer)) { e in
            XCTAssertTrue("\(e)".hasPrefix("\(newer): \(expected)"), "\(e)")
            XCTAssertTrue("\(e)".contains(", the checksum stored when it was written is 0x"), "\(e)")
        }
        XCTAssertThrowsError(try CheckpointReader.verify(newer)) { e in
            XCTAssertTrue("\(e)".hasPrefix("\(newer): \(expected)"), "\(e)")
        }
        XCTAssertEqual(try CheckpointReader.metadata(newer).step, 20, "the root attributes are intact")
        let search = CheckpointDirectory(path: dir).newestVerified()
        XCTAssertEqual(search.newest?.metadata.step, 10)
        XCTAssertEqual(search.skipped.count, 1)
        XCTAssertTrue(search.skipped[0].contains("/ema/conv.weight"), "\(search.skipped)")
        XCTAssertEqual(CheckpointDirectory(path: dir).newestValid()?.path, dir + "/step-00000010.h5")

        // A checksummed file whose checksum attribute is gone is refused too, by name.
        let older = dir + "/step-00000010.h5"
        let f = try H5File.open(older, readOnly: false)
        try f.group(named: "model").dataset(named: "lin.bias").removeAttribute("crc32")
        try f.close()
        XCTAssertThrowsError(try read(older)) { e in
            XCTAssertEqual("\(e)", "\(older): tensor /model/lin.bias has no crc32 checksum attribute; the file is damaged")
        }
        XCTAssertNil(CheckpointDirectory(path: dir).newestVerified().newest)
        XCTAssertEqual(CheckpointDirectory(path: dir).newestVerified().skipped.count, 2)
    }

    /// A checkpoint written before checksums (format_version 1: the same layout without the
    /// `crc32` attributes) loads, marked unverified; damage in it goes unseen, as before.
    func testFormatVersion1LoadsUnverified() throws {
        let path = try CheckpointWriter(directory: dir).write(state(step: 5))
        let f = try H5File.open(path, readOnly: false)
        try f.setAttribute("format_version", Int64(1))
        for group in try CheckpointReader.tensorGroups(f) {
            for name in try group.memberNames() { try group.dataset(named: name).removeAttribute("crc32") }
        }
        try f.close()
        try flipBit(in: path, ofValues: [105.5, 106, 106.5, 107])

        let m = try CheckpointReader.verify(path)
        XCTAssertEqual(m.formatVersion, 1)
        XCTAssertFalse(m.hasChecksums)
        let s = try read(path)
        XCTAssertEqual(s.formatVersion, 1)
        XCTAssertEqual(s.model.values.scalars, tensors(1).values.scalars)
        XCTAssertNotEqual(s.ema!.values.scalars, tensors(101).values.scalars, "the flipped bit is read unnoticed")
        XCTAssertEqual(CheckpointDirectory(path: dir).newestValid()?.metadata.step, 5)
        XCTAssertEqual(CheckpointReader.unverifiedWarning(path),
                       "\(path): written before checkpoints carried checksums (format_version 1), so its tensors cannot be verified; a damaged weight would go unnoticed")
        XCTAssertTrue(try CheckpointReader.metadata(CheckpointWriter(directory: dir).write(state(step: 6))).hasChecksums)
    }
}
