import XCTest
@testable import Checkpoint

// Replaced by the real suite of the Checkpoint layer.
final class CheckpointPlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
