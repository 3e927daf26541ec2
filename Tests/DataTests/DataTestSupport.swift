import Foundation
import XCTest

/// A fresh temporary folder per test, removed afterwards.
class DataTestCase: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("diffuse-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    func write(_ bytes: [UInt8], to name: String) throws -> String {
        let file = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }

    /// Asserts that `body` throws an error whose text contains every one of `fragments`.
    func assertThrows(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
        do {
            try body()
            XCTFail("expected an error mentioning \(fragments)", file: file, line: line)
        } catch {
            for fragment in fragments {
                XCTAssertTrue("\(error)".contains(fragment), "'\(fragment)' not in: \(error)", file: file, line: line)
            }
        }
    }
}

/// Test-side encoders for compressed containers, using deflate "stored" blocks (no
/// compression) so they need no zlib: a valid gzip member and a zip archive.
enum TestArchives {
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xedb8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }

    static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8((v >> 8) & 0xff)] }
    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xff) } }

    /// Raw deflate of `bytes` as stored blocks of at most 65535 bytes.
    static func storedDeflate(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        repeat {
            let end = min(bytes.count, start + 65535)
            out.append(end == bytes.count ? 1 : 0)
            out += le16(end - start) + le16(~(end - start) & 0xffff)
            out += bytes[start..<end]
            start = end
        } while start < bytes.count
        return out
    }

    static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff] + storedDeflate(bytes)
            + le32(crc32(bytes)) + le32(UInt32(truncatingIfNeeded: bytes.count))
    }

    /// A zip archive; each entry is stored (method 0) or "deflated" (method 8, stored blocks).
    static func zip(_ entries: [(name: String, bytes: [UInt8], deflate: Bool)]) -> [UInt8] {
        var out: [UInt8] = [], central: [UInt8] = []
        for entry in entries {
            let name = Array(entry.name.utf8)
            let payload = entry.deflate ? storedDeflate(entry.bytes) : entry.bytes
            let crc = crc32(entry.bytes)
            let offset = out.count
            let common = le16(20) + le16(0) + le16(entry.deflate ? 8 : 0) + le16(0) + le16(0)
                + le32(crc) + le32(UInt32(payload.count)) + le32(UInt32(entry.bytes.count)) + le16(name.count)
            out += [0x50, 0x4b, 3, 4] + common + le16(0) + name + payload
            central += [0x50, 0x4b, 1, 2] + le16(20) + common + le16(0) + le16(0) + le16(0) + le16(0)
                + le32(0) + le32(UInt32(offset)) + name
        }
        let centralOffset = out.count
        out += central
        out += [0x50, 0x4b, 5, 6] + le16(0) + le16(0) + le16(entries.count) + le16(entries.count)
            + le32(UInt32(central.count)) + le32(UInt32(centralOffset)) + le16(0)
        return out
    }
}
