import XCTest
@testable import Tensor

final class PhiloxTests: XCTestCase {
    /// Known-answer vectors of Random123 (kat_vectors, philox4x32 with 10 rounds).
    func testKnownAnswerVectors() {
        let cases: [(SIMD4<UInt32>, SIMD2<UInt32>, SIMD4<UInt32>)] = [
            (SIMD4(0, 0, 0, 0), SIMD2(0, 0), SIMD4(0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8)),
            (SIMD4(repeating: 0xFFFF_FFFF), SIMD2(repeating: 0xFFFF_FFFF), SIMD4(0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD)),
            (SIMD4(0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344), SIMD2(0xA409_3822, 0x299F_31D0),
             SIMD4(0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1)),
        ]
        for (counter, key, expected) in cases {
            XCTAssertEqual(Philox4x32.block(counter, key: key), expected)
        }
    }

    func testDrawsArePureFunctionsOfTheirKey() {
        let rng = CounterRNG(seed: 42)
        let a = rng.normal([4, 10], purpose: .noise, step: 3, firstSample: 0)
        // Samples 2 and 3 drawn on their own (as another rank would) equal rows 2 and 3.
        let b = rng.normal([2, 10], purpose: .noise, step: 3, firstSample: 2)
        XCTAssertEqual(Array(a.scalars[20...]), b.scalars)
        let c = rng.normal([4, 10], purpose: .noise, step: 4, firstSample: 0)
        XCTAssertNotEqual(a.scalars, c.scalars)
        let d = rng.normal([4, 10], purpose: .time, step: 3, firstSample: 0)
        XCTAssertNotEqual(a.scalars, d.scalars)
    }

    func testNormalMoments() {
        let t = CounterRNG(seed: 1).normal([1, 200_000], purpose: .noise, step: 0, firstSample: 0)
        let n = Double(t.count)
        let mean = t.sum() / n
        let variance = t.scalars.reduce(0.0) { $0 + Double($1) * Double($1) } / n - mean * mean
        XCTAssertEqual(mean, 0, accuracy: 0.01)
        XCTAssertEqual(variance, 1, accuracy: 0.01)
    }

    func testUniformInOpenInterval() {
        let t = CounterRNG(seed: 9).uniform([1, 100_000], purpose: .time, step: 0, firstSample: 0)
        XCTAssertTrue(t.scalars.allSatisfy { $0 > 0 && $0 < 1 })
        XCTAssertEqual(t.sum() / Double(t.count), 0.5, accuracy: 0.01)
        XCTAssertEqual(CounterRNG.unitFloat(0), 0x1p-24)
        XCTAssertLessThan(CounterRNG.unitFloat(.max), 1)
    }
}
