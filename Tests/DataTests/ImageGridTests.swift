import XCTest
@testable import Data
import Tensor

final class ImageGridTests: DataTestCase {
    func testGridPlacesImagesWithPaddingAndMapsValues() {
        // 3 gray 2x2 images in 2 columns: grid is 2*(2+1)+1 = 7 wide, 7 high.
        let values: [Float] = [-1, 1, 0, 0.5,   1, 1, 1, 1,   -1, -1, -1, 2]
        let grid = ImageGrid.image(of: Tensor(shape: [3, 1, 2, 2], values: values), columns: 2, minimumWidth: 1)
        XCTAssertEqual(grid.width, 7)
        XCTAssertEqual(grid.height, 7)
        XCTAssertEqual(grid.channels, 1)
        func pixel(_ i: Int, _ j: Int) -> UInt8 { grid.pixels[i * 7 + j] }
        XCTAssertEqual([pixel(1, 1), pixel(1, 2), pixel(2, 1), pixel(2, 2)], [0, 255, 128, 191])
        XCTAssertEqual(pixel(1, 4), 255)                 // second image, top-left
        XCTAssertEqual(pixel(5, 2), 255)                 // third image clamps 2 to 255
        XCTAssertEqual(pixel(0, 0), 0)                   // padding
        XCTAssertEqual(pixel(5, 5), 0)                   // empty slot
    }

    func testSmallImagesAreUpscaledToAtLeast64PixelsByNearestNeighbour() {
        // 6x6 images of 16x16, as the default shapes job draws them: each at 64x64.
        let grid16 = ImageGrid.image(of: Tensor(shape: [36, 1, 16, 16], repeating: 0), columns: 6)
        XCTAssertEqual([grid16.width, grid16.height], [6 * 65 + 1, 6 * 65 + 1])
        // 2x2 images, scale 32: each source pixel becomes a 32x32 block; 28 wide gets 3x (84).
        let values: [Float] = [-1, 1, 0, 0.5]
        let grid = ImageGrid.image(of: Tensor(shape: [1, 1, 2, 2], values: values), columns: 1)
        XCTAssertEqual([grid.width, grid.height], [66, 66])
        func pixel(_ i: Int, _ j: Int) -> UInt8 { grid.pixels[i * 66 + j] }
        XCTAssertEqual([pixel(1, 1), pixel(32, 32), pixel(1, 33), pixel(32, 64), pixel(33, 1), pixel(64, 32), pixel(33, 33), pixel(64, 64)],
                       [0, 0, 255, 255, 128, 128, 191, 191])
        XCTAssertEqual([pixel(0, 0), pixel(65, 65)], [0, 0])   // padding stays one pixel
        XCTAssertEqual(ImageGrid.image(of: Tensor(shape: [1, 3, 28, 28], repeating: 0), columns: 1).width, 84 + 2)
        XCTAssertEqual(ImageGrid.image(of: Tensor(shape: [1, 1, 64, 64], repeating: 0), columns: 1).width, 66, "64 wide stays")
    }

    func testPNGRoundTripGrayAndRGB() throws {
        let rgb = PNGImage(width: 3, height: 2, channels: 3, pixels: (0..<18).map { UInt8($0 * 14) })
        try rgb.write(path: path("rgb.png"))
        XCTAssertEqual(try PNGImage.read(path: path("rgb.png")), rgb)
        XCTAssertTrue(try PNGImage.isColor(path: path("rgb.png")))
        let gray = PNGImage(width: 2, height: 3, channels: 1, pixels: [0, 50, 100, 150, 200, 250])
        try gray.write(path: path("gray.png"))
        XCTAssertEqual(try PNGImage.read(path: path("gray.png")), gray)
        XCTAssertEqual(try PNGImage.read(path: path("gray.png"), channels: 3).pixels.count, 18)
        // The grid writer produces a readable PNG of the right size.
        try ImageGrid.writePNG(images: Tensor(shape: [4, 3, 2, 2], repeating: 0), columns: 2, path: path("grid.png"))
        let grid = try PNGImage.read(path: path("grid.png"))
        XCTAssertEqual([grid.width, grid.height, grid.channels], [2 * 65 + 1, 2 * 65 + 1, 3])
    }

    func testCorruptPNGsThrowNamingTheFile() throws {
        let notPNG = try write(Array("hello, not a png".utf8), to: "text.png")
        assertThrows(["text.png"]) { _ = try PNGImage.read(path: notPNG) }
        let gray = PNGImage(width: 20, height: 20, channels: 1, pixels: (0..<400).map { UInt8($0 % 251) })
        try gray.write(path: path("whole.png"))
        let bytes = try Array(Data(contentsOf: folder.appendingPathComponent("whole.png")))
        let cut = try write(Array(bytes.prefix(bytes.count / 2)), to: "cut.png")
        assertThrows(["cut.png"]) { _ = try PNGImage.read(path: cut) }
    }
}
