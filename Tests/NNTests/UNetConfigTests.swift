import Foundation
@testable import NN
import XCTest

final class UNetConfigTests: XCTestCase {
    func testDefaultsAreTheSpecs() {
        let c = UNetConfig(inChannels: 3)
        XCTAssertEqual(c.outChannels, 3)
        XCTAssertEqual(c.channelsPerDepth, [128, 256, 256, 256])
        XCTAssertEqual(c.numBlocks, 2)
        XCTAssertEqual(c.attentionDepths, [1])
        XCTAssertEqual(c.posDim, 128)
        XCTAssertEqual(c.embDim, 512)
        XCTAssertEqual(c.numGroups, 32)
        XCTAssertEqual(c.dropout, 0.1)
        XCTAssertEqual(c.sizeMultiple, 8)
        XCTAssertNoThrow(try c.validate(imageSize: (32, 32)))
    }

    func testBadImageSizeNamesTheSizeAndTheMultiple() {
        XCTAssertThrowsError(try UNetConfig(inChannels: 3).validate(imageSize: (28, 32))) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("28x32"), text)
            XCTAssertTrue(text.contains("multiples of 8"), text)
        }
        XCTAssertNoThrow(try UNetConfig.mnist.validate(imageSize: (28, 28)))   // multiple of 4
    }

    func testGroupsNotDividingChannelsAreReported() {
        let c = UNetConfig(inChannels: 1, channelsPerDepth: [12, 24], attentionDepths: [], numGroups: 8)
        XCTAssertThrowsError(try c.validate()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("num_groups 8 does not divide 12 channels"), text)
            XCTAssertTrue(text.contains("does not divide 36 channels"), text)   // up path: 24 + 12 concatenated
        }
        var bad = UNetConfig.mnist
        bad.attentionDepths = [3]
        bad.posDim = 7
        XCTAssertThrowsError(try bad.validate()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("attention_depths contains 3"), text)
            XCTAssertTrue(text.contains("pos_dim 7"), text)
        }
    }

    func testSnakeCaseCodable() throws {
        let data = try JSONEncoder().encode(UNetConfig.mnist)
        let json = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(json.contains("\"channels_per_depth\""), json)
        XCTAssertEqual(try JSONDecoder().decode(UNetConfig.self, from: data), .mnist)
    }
}
