import XCTest
@testable import Data

/// Output paths in folders that do not exist yet, as in a fresh clone (`--out data/mnist.h5`).
final class OutputFolderTests: DataTestCase {
    func testDatasetFilesAndPNGsCreateTheirFolders() throws {
        let h5 = path("data/nested/shapes.h5")
        try BuiltinDatasets.writeFile("shapes16", count: 4, seed: 1, path: h5)
        XCTAssertEqual(try DatasetFile(path: h5).count, 4)

        let png = path("previews/a/grid.png")
        try Preview.write(try DatasetFile(path: h5), count: 4, path: png)
        let grid = try PNGImage.read(path: png)
        XCTAssertEqual(grid.width, 2 * 65 + 1, "16x16 images drawn at 64x64 in 2 columns")

        try OutputFolder.create(for: "relative-file-in-the-current-folder.h5")   // no folder: nothing to do
    }

    func testAFileInTheWayIsOneLineNamingIt() throws {
        let blocker = try write([1], to: "data")
        assertThrows(["\(blocker)/mnist.h5: cannot write there: \(blocker) is a file, not a folder"]) {
            try BuiltinDatasets.writeFile("two-moons", count: 4, seed: 1, path: blocker + "/mnist.h5")
        }
        do {
            try PNGImage(width: 1, height: 1, channels: 1, pixels: [0]).write(path: blocker + "/deeper/x.png")
            XCTFail("a folder under a file was created")
        } catch {
            XCTAssertTrue("\(error)".hasPrefix("\(blocker)/deeper/x.png: cannot create the folder \(blocker)/deeper: "), "\(error)")
            XCTAssertFalse("\(error)".contains("\n"), "\(error)")
        }
    }
}
