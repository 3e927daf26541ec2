import Foundation
import XCTest
@testable import HDF5

final class H5FileTests: TemporaryFolderTestCase {
    func testGroupsCreateOpenExistAndListMembers() throws {
        let file = path("groups.h5")
        do {
            let h5 = try H5File.create(file)
            let model = try h5.createGroup("model")
            try model.createGroup("down/0/blocks")     // intermediate groups are created
            try model.createDataset("w", values: [Float(1), 2], shape: [2])
            try h5.createGroup("ema")
            XCTAssertEqual(model.path, "/model")
            try h5.close()
        }
        let h5 = try H5File.open(file)
        XCTAssertEqual(try h5.memberNames(), ["ema", "model"])
        XCTAssertTrue(try h5.contains("model"))
        XCTAssertTrue(try h5.contains("model/down/0/blocks"))
        XCTAssertTrue(try h5.contains("/model/w"))
        XCTAssertFalse(try h5.contains("model/up/0"))
        XCTAssertFalse(try h5.contains("nothing"))
        XCTAssertTrue(try h5.containsGroup("model/down"))
        XCTAssertFalse(try h5.containsGroup("model/w"))
        XCTAssertTrue(try h5.containsDataset("model/w"))
        let model = try h5.group(named: "model")
        XCTAssertEqual(try model.memberNames(), ["down", "w"])
        XCTAssertEqual(try model.group(named: "down").path, "/model/down")
        XCTAssertEqual(try model.dataset(named: "w").read(as: Float.self), [1, 2])
    }

    func testReadOnlyFilesRejectWritesAndReadWriteFilesAcceptThem() throws {
        let file = path("modes.h5")
        try H5File.create(file).close()
        let readOnly = try H5File.open(file)
        XCTAssertThrowsError(try readOnly.createGroup("g")) { error in
            XCTAssertTrue("\(error)".contains("modes.h5:/g"), "\(error)")
        }
        try readOnly.close()
        do {
            let readWrite = try H5File.open(file, readOnly: false)
            try readWrite.createGroup("g").setAttribute("k", Int64(3))
            try readWrite.close()
        }
        XCTAssertEqual(try H5File.open(file).group(named: "g").attribute("k", as: Int64.self), 3)
    }

    func testCreateTruncatesAnExistingFile() throws {
        let file = path("trunc.h5")
        do {
            let h5 = try H5File.create(file)
            try h5.createGroup("old")
            try h5.close()
        }
        try H5File.create(file).close()
        XCTAssertEqual(try H5File.open(file).memberNames(), [])
    }

    func testCloseIsDeterministicAndInvalidatesOpenObjects() throws {
        let file = path("close.h5")
        let h5 = try H5File.create(file)
        let group = try h5.createGroup("g")
        let dataset = try group.createDataset("d", values: [Int64(5)], shape: [1])
        try h5.close()
        XCTAssertFalse(h5.isOpen)
        XCTAssertNoThrow(try h5.close())
        XCTAssertThrowsError(try dataset.read(as: Int64.self)) { error in
            XCTAssertTrue("\(error)".contains("closed"), "\(error)")
        }
        XCTAssertThrowsError(try group.memberNames())
        // The file is really closed: it can be reopened read-write and changed.
        let again = try H5File.open(file, readOnly: false)
        try again.remove("g")
        XCTAssertEqual(try again.memberNames(), [])
    }

    func testMissingFilesAndObjectsThrowWithNamesAndHDF5Messages() throws {
        let missing = path("does-not-exist.h5")
        XCTAssertThrowsError(try H5File.open(missing)) { error in
            let message = "\(error)"
            XCTAssertTrue(error is HDF5Error)
            XCTAssertTrue(message.contains("does-not-exist.h5"), message)
            XCTAssertTrue(message.contains("H5Fopen()"), "HDF5's own stack is included: \(message)")
        }
        XCTAssertThrowsError(try H5File.create(path("no/such/folder/x.h5"))) { error in
            XCTAssertTrue("\(error)".contains("H5Fcreate()"), "\(error)")
        }
        let h5 = try H5File.create(path("objects.h5"))
        try h5.createGroup("g")
        XCTAssertThrowsError(try h5.group(named: "nope")) { error in
            XCTAssertTrue("\(error)".contains("objects.h5:/nope"), "\(error)")
        }
        XCTAssertThrowsError(try h5.dataset(named: "g/d")) { error in
            XCTAssertTrue("\(error)".contains("objects.h5:/g/d"), "\(error)")
        }
        XCTAssertThrowsError(try h5.dataset(named: "g")) { error in
            XCTAssertTrue("\(error)".contains("expected a dataset"), "\(error)")
        }
        XCTAssertThrowsError(try h5.createGroup("g")) { error in
            XCTAssertTrue("\(error)".contains("H5Gcreate2()"), "\(error)")
        }
    }

    func testGarbageFileThrows() throws {
        let file = path("garbage.h5")
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 * 31 + 7) }).write(to: URL(fileURLWithPath: file))
        XCTAssertThrowsError(try H5File.open(file)) { error in
            XCTAssertTrue("\(error)".contains("garbage.h5"), "\(error)")
            XCTAssertTrue("\(error)".contains("file signature not found"), "HDF5's message: \(error)")
        }
        let empty = path("empty.h5")
        XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: Data()))
        XCTAssertThrowsError(try H5File.open(empty))
    }

    func testTruncatedFileThrows() throws {
        let file = path("truncated.h5")
        do {
            let h5 = try H5File.create(file)
            try h5.createDataset("x", values: [Float](repeating: 2, count: 20_000), shape: [200, 100])
            try h5.setAttribute("note", "about to be cut")
            try h5.close()
        }
        let size = try FileManager.default.attributesOfItem(atPath: file)[.size] as! Int
        for keep in [size / 2, 1000, 100, 8] {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
            try handle.truncate(atOffset: UInt64(keep))
            try handle.close()
            XCTAssertThrowsError(try H5File.open(file), "truncated to \(keep) bytes") { error in
                XCTAssertTrue("\(error)".contains("truncated.h5"), "\(error)")
                XCTAssertTrue("\(error)".contains("H5Fopen()"), "HDF5's message: \(error)")
            }
        }
    }
}
