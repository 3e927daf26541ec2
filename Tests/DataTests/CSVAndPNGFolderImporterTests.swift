import XCTest
@testable import Data

final class CSVAndPNGFolderImporterTests: DataTestCase {
    private func text(_ s: String, _ name: String) throws -> String { try write(Array(s.utf8), to: name) }

    func testCSVWithHeaderAndLabelColumn() throws {
        let file = try text("label,p0,p1,p2,p3\n3,0,255,10,20\n1, 5,6,7,8\n\n", "pixels.csv")
        let imported = try CSVImporter.read(file, labelColumn: true)
        XCTAssertEqual(imported.images, ImageArray(shape: [2, 1, 2, 2], bytes: [0, 255, 10, 20, 5, 6, 7, 8]))
        XCTAssertEqual(imported.labels, [3, 1])
        let floats = try text("0.5,-1,1\n0,0.25,-0.5\n", "floats.csv")
        let f = try CSVImporter.read(floats, labelColumn: false, shape: [3, 1, 1])
        XCTAssertEqual(f.images, ImageArray(shape: [2, 3, 1, 1], pixels: .float32([0.5, -1, 1, 0, 0.25, -0.5]), valueRange: -1...1))
    }

    func testMalformedCSVNamesLineAndColumn() throws {
        let short = try text("1,2,3,4\n5,6,7\n", "short.csv")
        assertThrows(["short.csv:2", "3 fields, expected 4"]) { _ = try CSVImporter.read(short, labelColumn: false) }
        let word = try text("1,2,3,4\n5,six,7,8\n", "word.csv")
        assertThrows(["word.csv:2", "column 2", "'six'"]) { _ = try CSVImporter.read(word, labelColumn: false) }
        let notSquare = try text("1,2,3\n", "three.csv")
        assertThrows(["three.csv", "3 pixel columns"]) { _ = try CSVImporter.read(notSquare, labelColumn: false) }
        assertThrows(["three.csv", "[2, 2]"]) { _ = try CSVImporter.read(notSquare, labelColumn: false, shape: [2, 2]) }
        let empty = try text("a,b\n", "empty.csv")
        assertThrows(["empty.csv", "no data lines"]) { _ = try CSVImporter.read(empty, labelColumn: false) }
    }

    func testPNGFolderFlatAndWithClassSubfolders() throws {
        let flat = folder.appendingPathComponent("flat").path
        try FileManager.default.createDirectory(atPath: flat, withIntermediateDirectories: true)
        try PNGImage(width: 2, height: 2, channels: 1, pixels: [0, 1, 2, 3]).write(path: flat + "/b.png")
        try PNGImage(width: 2, height: 2, channels: 1, pixels: [9, 9, 9, 9]).write(path: flat + "/a.png")
        let imported = try PNGFolderImporter.read(folder: flat)
        XCTAssertEqual(imported.images, ImageArray(shape: [2, 1, 2, 2], bytes: [9, 9, 9, 9, 0, 1, 2, 3]))
        XCTAssertNil(imported.labels)

        let classes = folder.appendingPathComponent("classes").path
        for name in ["cat", "dog"] {
            try FileManager.default.createDirectory(atPath: classes + "/" + name, withIntermediateDirectories: true)
        }
        // HWC RGB pixel (1,2,3) at (0,0) and (4,5,6) at (0,1) become CHW planes.
        try PNGImage(width: 2, height: 1, channels: 3, pixels: [1, 2, 3, 4, 5, 6]).write(path: classes + "/dog/x.png")
        try PNGImage(width: 2, height: 1, channels: 3, pixels: [7, 7, 7, 8, 8, 8]).write(path: classes + "/cat/y.png")
        let labelled = try PNGFolderImporter.read(folder: classes)
        XCTAssertEqual(labelled.images, ImageArray(shape: [2, 3, 1, 2], bytes: [7, 8, 7, 8, 7, 8, 1, 4, 2, 5, 3, 6]))
        XCTAssertEqual(labelled.labels, [0, 1])
    }

    func testPNGFolderSizeRuleAndErrors() throws {
        let mixed = folder.appendingPathComponent("mixed").path
        try FileManager.default.createDirectory(atPath: mixed, withIntermediateDirectories: true)
        try PNGImage(width: 4, height: 4, channels: 1, pixels: [UInt8](repeating: 100, count: 16)).write(path: mixed + "/a.png")
        // 6 wide x 4 high: the centre crop drops one column each side (values 0) and keeps 200s.
        let wide = (0..<4).flatMap { _ in [0] + [UInt8](repeating: 200, count: 4) + [0] as [UInt8] }
        try PNGImage(width: 6, height: 4, channels: 1, pixels: wide).write(path: mixed + "/b.png")
        assertThrows(["b.png", "6x4, expected 4x4"]) { _ = try PNGFolderImporter.read(folder: mixed) }
        let resized = try PNGFolderImporter.read(folder: mixed, size: 2)
        XCTAssertEqual(resized.images, ImageArray(shape: [2, 1, 2, 2], bytes: [100, 100, 100, 100, 200, 200, 200, 200]))
        XCTAssertEqual(PNGFolderImporter.resize(PNGImage(width: 2, height: 2, channels: 1, pixels: [0, 100, 100, 200]), to: 4).pixels,
                       [0, 25, 75, 100, 25, 50, 100, 125, 75, 100, 150, 175, 100, 125, 175, 200])
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: mixed + "/c.png"))
        assertThrows(["c.png", "not a readable PNG"]) { _ = try PNGFolderImporter.read(folder: mixed, size: 2) }
        assertThrows(["no such folder"]) { _ = try PNGFolderImporter.read(folder: self.path("missing")) }
        let empty = folder.appendingPathComponent("empty").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        assertThrows(["empty", "no .png files"]) { _ = try PNGFolderImporter.read(folder: empty) }
    }
}
