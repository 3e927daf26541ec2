import Foundation
import NN
import XCTest
@testable import Config
@testable import Training

/// What the shipped configs promise (issue 8): the DDPM, EDM and VDM settings and the 35.7M UNet.
final class ShippedConfigTests: XCTestCase {
    func load(_ name: String) throws -> TrainConfig {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try ConfigLoader.load(path: root.appendingPathComponent("configs/" + name).path).config
    }

    func testCIFAR10DDPMIsHoEtAl() throws {
        let c = try load("cifar10-ddpm.yaml")
        XCTAssertEqual(c.diffusion.objective, .ddpm)
        XCTAssertEqual(c.diffusion.schedule, .ddpm)
        XCTAssertEqual([c.optim.lr, Double(c.optim.warmupSteps), Double(c.train.globalBatch), c.model.unet.dropout, c.ema.decay, c.optim.gradClip],
                       [2e-4, 5000, 128, 0.1, 0.9999, 1])
        XCTAssertTrue(c.data.flip)
        let u = c.model.unet
        let unet = UNet(UNetConfig(inChannels: 3, channelsPerDepth: u.channelsPerDepth, numBlocks: u.numBlocks,
                                   attentionDepths: u.attentionDepths, posDim: u.posDim, embDim: u.embDim,
                                   numGroups: u.numGroups, dropout: Float(u.dropout)), seed: 0)
        XCTAssertEqual(Double(unet.parameterCount) / 1e6, 35.7, accuracy: 0.05)
    }

    func testEDMAndVDM() throws {
        let e = try load("edm.yaml")
        XCTAssertEqual([e.diffusion.denoiser.rawValue, e.diffusion.schedule.rawValue, e.diffusion.noiseLevels.rawValue, e.sample.sampler.rawValue, e.sample.grid.rawValue],
                       ["karras", "elucidated", "lognormal", "heun", "edm"])
        XCTAssertEqual(e.sample.rho, 7)
        XCTAssertEqual(try load("vdm.yaml").diffusion.objective, .vdm)
    }
}
