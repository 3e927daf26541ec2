import XCTest
@testable import Data

// Replaced by the real suite of the Data layer.
final class DataPlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
