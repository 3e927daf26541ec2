import Foundation
import XCTest
@testable import HDF5

final class H5AttributeTests: TemporaryFolderTestCase {
    func testAttributesRoundTripOnFileGroupAndDataset() throws {
        let file = path("attrs.h5")
        do {
            let h5 = try H5File.create(file)
            let group = try h5.createGroup("g")
            let dataset = try group.createDataset("d", values: [Float(1)], shape: [1])
            for object in [h5, group, dataset] as [H5Object] {
                try object.setAttribute("text", "naïve ✓ \(object.path)")
                try object.setAttribute("count", Int64(-7))
                try object.setAttribute("scale", 0.125)
                try object.setAttribute("sizes", [Int64(3), 32, 32])
                try object.setAttribute("range", [-1.0, 1.0])
                try object.setAttribute("small", Float(2.5))
            }
            // Replacing an attribute changes its type and value.
            try h5.setAttribute("count", "now a string")
            try h5.close()
        }
        let h5 = try H5File.open(file)
        let group = try h5.group(named: "g")
        let dataset = try group.dataset(named: "d")
        for object in [group, dataset] as [H5Object] {
            XCTAssertEqual(try object.stringAttribute("text"), "naïve ✓ \(object.path)")
            XCTAssertEqual(try object.attribute("count", as: Int64.self), -7)
            XCTAssertEqual(try object.attribute("scale", as: Double.self), 0.125)
            XCTAssertEqual(try object.arrayAttribute("sizes", as: Int64.self), [3, 32, 32])
            XCTAssertEqual(try object.arrayAttribute("range", as: Double.self), [-1, 1])
            XCTAssertEqual(try object.attribute("small", as: Float.self), 2.5)
            XCTAssertEqual(try object.attributeNames(), ["count", "range", "scale", "sizes", "small", "text"])
        }
        XCTAssertEqual(try h5.stringAttribute("text"), "naïve ✓ /")
        XCTAssertEqual(try h5.stringAttribute("count"), "now a string")
        XCTAssertEqual(try h5.arrayAttribute("sizes", as: Int.self), [3, 32, 32])
        XCTAssertEqual(try h5.arrayAttribute("sizes", as: Double.self), [3, 32, 32], "numbers convert on read")
    }

    func testAttributeErrorsNameTheObjectAndAttribute() throws {
        let h5 = try H5File.create(path("attr-errors.h5"))
        let group = try h5.createGroup("g")
        try group.setAttribute("text", "x")
        try group.setAttribute("sizes", [Int64(1), 2])
        XCTAssertThrowsError(try group.stringAttribute("missing")) { error in
            XCTAssertTrue("\(error)".contains("attr-errors.h5:/g"), "\(error)")
            XCTAssertTrue("\(error)".contains("'missing'"), "\(error)")
        }
        XCTAssertThrowsError(try group.attribute("text", as: Double.self)) { error in
            XCTAssertTrue("\(error)".contains("expected a number"), "\(error)")
        }
        XCTAssertThrowsError(try group.stringAttribute("sizes")) { error in
            XCTAssertTrue("\(error)".contains("expected a string"), "\(error)")
        }
        XCTAssertThrowsError(try group.attribute("sizes", as: Int64.self)) { error in
            XCTAssertTrue("\(error)".contains("expected a scalar"), "\(error)")
        }
        XCTAssertTrue(try group.hasAttribute("text"))
        try group.removeAttribute("text")
        XCTAssertFalse(try group.hasAttribute("text"))
    }
}
