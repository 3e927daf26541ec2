import XCTest
@testable import Diffusion

// Replaced by the real suite of the Diffusion layer.
final class DiffusionPlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
