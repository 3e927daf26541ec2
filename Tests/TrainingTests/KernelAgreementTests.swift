import Autograd
import Distributed
import Logging
import NN
import XCTest
@testable import Config
@testable import Sampling
@testable import Tensor
@testable import Training

/// The convolutions rank 0 decides before the first step are exactly those the UNet runs, and
/// the decisions it hands over are the ones every rank then uses.
final class KernelAgreementTests: XCTestCase {
    func testPreparedShapesAreTheModelsConvolutions() throws {
        let yaml = """
        name: agreement
        data: {source: shapes16, count: 32}
        model: {kind: unet, unet: {channels_per_depth: [8, 16], num_blocks: 1, attention_depths: [1], num_groups: 4, pos_dim: 8, emb_dim: 16}}
        train: {steps: 1, global_batch: 7}
        """
        let config = try ConfigLoader.load(yaml: yaml).config
        let sampleShape = [3, 20, 20]
        let prepared = KernelAgreement.convolutions(config, sampleShape: sampleShape, batch: 7)
        XCTAssertFalse(prepared.isEmpty)

        // Run the model forward and backward; every convolution decides its passes in the shared tuner.
        let model = try ModelSetup.makeBackbone(config, sampleShape: sampleShape)
        let x = Variable(CounterRNG(seed: 1).normal([7] + sampleShape, purpose: .misc, step: 0, firstSample: 0))
        let y = model.forward(x, Variable(Tensor(shape: [7], repeating: 0.2)),
                              context: ForwardContext(training: true))
        sum(y * y).backward()
        let used = ConvAutotuner.shared.decisions().keys.filter { $0.hasPrefix("forward 7x") }
        XCTAssertEqual(Set(used), Set(prepared.map { ConvAutotuner.key($0, .forward) }),
                       "the shapes decided before training are the ones the UNet runs")
        XCTAssertEqual(KernelAgreement.convolutions(config, sampleShape: [3, 20, 18], batch: 7), [], "not square: decided on first use")
    }

    func testOneProcessAgreesWithItself() throws {
        let config = try ConfigLoader.load(yaml: "name: t\ndata: {source: shapes16, count: 8}\nmodel: {kind: unet, unet: {channels_per_depth: [8], num_blocks: 1, attention_depths: [], num_groups: 4}}\ntrain: {global_batch: 2}\n").config
        try KernelAgreement.agree(config, sampleShape: [3, 8, 8], communicator: SingleProcessCommunicator(),
                                  logger: Logger(label: "test"))
        let g = KernelAgreement.convolutions(config, sampleShape: [3, 8, 8], batch: 2)
        XCTAssertFalse(g.isEmpty)
        for geometry in g {
            XCTAssertNotNil(ConvAutotuner.shared.decisions()[ConvAutotuner.key(geometry, .weightGradient)])
        }
    }
}
