import Foundation
@testable import NN
import XCTest

final class LRScheduleTests: XCTestCase {
    func testWarmupThenConstant() {
        let s = LRSchedule(base: 1e-3, warmupSteps: 4)
        XCTAssertEqual(s(0), 0.25e-3, accuracy: 1e-15)
        XCTAssertEqual(s(2), 0.75e-3, accuracy: 1e-15)
        XCTAssertEqual(s(3), 1e-3, accuracy: 1e-15)
        XCTAssertEqual(s(1000), 1e-3)
        XCTAssertEqual(LRSchedule(base: 2e-4)(0), 2e-4)
    }

    func testCosineDecayToMinimum() {
        let s = LRSchedule(base: 1, warmupSteps: 10, decay: .cosine(totalSteps: 110, minLR: 0.1))
        XCTAssertEqual(s(10), 1, accuracy: 1e-12)
        XCTAssertEqual(s(60), 0.55, accuracy: 1e-12)
        XCTAssertEqual(s(35), 0.1 + 0.9 * 0.5 * (1 + cos(Double.pi / 4)), accuracy: 1e-12)
        XCTAssertEqual(s(110), 0.1, accuracy: 1e-12)
        XCTAssertEqual(s(500), 0.1, accuracy: 1e-12)
    }

    func testCodableRoundTrip() throws {
        let s = LRSchedule(base: 3e-4, warmupSteps: 100, decay: .cosine(totalSteps: 1000, minLR: 1e-5))
        let back = try JSONDecoder().decode(LRSchedule.self, from: JSONEncoder().encode(s))
        XCTAssertEqual(s, back)
    }
}
