import XCTest
@testable import Data

final class InflateTests: DataTestCase {
    func testGzipAndRawDeflateInflate() throws {
        let payload = (0..<70_000).map { UInt8(($0 * 7) % 256) }   // two stored blocks
        let gz = Data(TestArchives.gzip(payload))
        XCTAssertTrue(Inflate.isGzip(gz))
        XCTAssertEqual(Array(try Inflate.inflate(gz, wrapper: .gzip, name: "x.gz")), payload)
        // Concatenated gzip members inflate to the concatenation.
        let two = Data(TestArchives.gzip([1, 2]) + TestArchives.gzip([3]))
        XCTAssertEqual(Array(try Inflate.inflate(two, wrapper: .gzip, name: "two.gz")), [1, 2, 3])
        let raw = Data(TestArchives.storedDeflate(payload))
        XCTAssertEqual(Array(try Inflate.inflate(raw, wrapper: .raw, name: "entry", expectedSize: payload.count)), payload)
        let file = try write(TestArchives.gzip(payload), to: "file.gz")
        XCTAssertEqual(Array(try Inflate.readMaybeGzip(file)), payload)
        let plain = try write([1, 2, 3], to: "plain.bin")
        XCTAssertEqual(Array(try Inflate.readMaybeGzip(plain)), [1, 2, 3])
    }

    func testTruncatedAndCorruptStreamsThrow() throws {
        let gz = TestArchives.gzip((0..<5000).map { UInt8($0 % 256) })
        assertThrows(["cut.gz", "truncated"]) { _ = try Inflate.inflate(Data(gz.prefix(2000)), wrapper: .gzip, name: "cut.gz") }
        var corrupt = gz
        corrupt[corrupt.count - 6] ^= 0xff   // CRC mismatch
        assertThrows(["bad.gz"]) { _ = try Inflate.inflate(Data(corrupt), wrapper: .gzip, name: "bad.gz") }
        assertThrows(["e", "expected 10"]) { _ = try Inflate.inflate(Data(TestArchives.storedDeflate([1, 2])), wrapper: .raw, name: "e", expectedSize: 10) }
    }
}
