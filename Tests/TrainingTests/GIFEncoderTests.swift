import XCTest
@testable import Sampling
@testable import Training

final class GIFEncoderTests: XCTestCase {
    /// Pseudo-random indices with runs, so the table fills, widens to 12 bits and is cleared.
    func indices(_ n: Int, seed: UInt64, alphabet: Int) -> [UInt8] {
        var state = seed
        var out: [UInt8] = []
        while out.count < n {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let value = UInt8(truncatingIfNeeded: (state >> 33) % UInt64(alphabet))
            out += Array(repeating: value, count: Int((state >> 20) % 4) + 1)
        }
        return Array(out.prefix(n))
    }

    func testLZWRoundTripsThroughAnIndependentDecoder() throws {
        for (n, alphabet) in [(1, 1), (2, 2), (255, 3), (256, 256), (511, 5), (5000, 256), (70_000, 256), (70_000, 4), (4096, 1)] {
            let input = indices(n, seed: UInt64(n * 31 + alphabet), alphabet: alphabet)
            let decoded = try GIFTestDecoder.lzwDecode(GIFEncoder.lzwCompress(input, minimumCodeSize: 8), minimumCodeSize: 8)
            XCTAssertEqual(decoded.map(UInt8.init), input, "n \(n), alphabet \(alphabet)")
        }
        // Compression does compress a constant picture.
        XCTAssertLessThan(GIFEncoder.lzwCompress([UInt8](repeating: 7, count: 10_000), minimumCodeSize: 8).count, 400)
    }

    func testAnimatedFileStructure() throws {
        let frames = (0..<3).map { k in GIFEncoder.Frame(width: 13, height: 7, indices: indices(91, seed: UInt64(k), alphabet: 256)) }
        let bytes = GIFEncoder.encode(frames: frames, palette: GIFEncoder.grayPalette, delay: 25)
        XCTAssertEqual(Array(bytes.prefix(6)), Array("GIF89a".utf8))
        XCTAssertEqual(bytes.last, 0x3B)
        let decoded = try GIFTestDecoder.decode(bytes)
        XCTAssertEqual(decoded.width, 13)
        XCTAssertEqual(decoded.height, 7)
        XCTAssertTrue(decoded.loops)
        XCTAssertEqual(decoded.delays, [25, 25, 25])
        XCTAssertEqual(decoded.frames, frames.map(\.indices))
        XCTAssertEqual(decoded.palette, GIFEncoder.grayPalette)
    }

    func testColourQuantisation() {
        XCTAssertEqual(GIFEncoder.rgb332Index(r: 255, g: 255, b: 255), 255)
        XCTAssertEqual(GIFEncoder.rgb332Index(r: 0, g: 0, b: 0), 0)
        XCTAssertEqual(GIFEncoder.rgb332Index(r: 255, g: 0, b: 0), 0b111_000_00)
        // Every palette colour maps back to its own index.
        for i in 0..<256 {
            let p = GIFEncoder.rgb332Palette
            XCTAssertEqual(Int(GIFEncoder.rgb332Index(r: p[3 * i], g: p[3 * i + 1], b: p[3 * i + 2])), i)
        }
        let frame = GIFEncoder.frame(width: 2, height: 1, channels: 3, pixels: [255, 0, 0, 0, 0, 255])
        XCTAssertEqual(frame.indices, [0b111_000_00, 0b000_000_11])
    }
}
