import Config
import Distributed
import Foundation
import Logging
import NN
import Sampling
import Tensor

/// Before the first step, rank 0 chooses the algorithm of every pass of the model's
/// convolutions (`ConvAutotuner.prepare`: from the kernel cache, or timed now) and broadcasts
/// its decisions; the other ranks adopt them, so every rank runs the same algorithms and no
/// rank times kernels while the others compute. Shapes met later (sample grids) are decided
/// on first use.
enum KernelAgreement {
    static func agree(_ config: TrainConfig, sampleShape: [Int], communicator: any Communicator, logger: Logger) throws {
        let tuner = ConvAutotuner.shared
        var payload = "{}"
        if communicator.rank == 0 {
            tuner.report = { logger.debug("kernels: \($0)") }
            let geometries = convolutions(config, sampleShape: sampleShape, batch: config.train.globalBatch / max(1, communicator.size))
            if !geometries.isEmpty && tuner.mode == .auto {
                logger.info("choosing convolution kernels for \(geometries.count) shapes (\(tuner.cache.map { "cache \($0.path)" } ?? "no cache"))")
                let start = monotonicSeconds()
                let counts = tuner.prepare(geometries)
                let chosen = geometries.flatMap { g in ConvPass.allCases.map { tuner.algorithm(g, $0).description } }
                let tally = Dictionary(grouping: chosen, by: { $0.split(separator: ":")[0] }).map { "\($0.key) \($0.value.count)" }.sorted()
                let seconds = String(format: "%.1f", monotonicSeconds() - start)
                logger.info("convolution kernels: \(counts.measured) pass(es) timed in \(seconds) s, \(counts.cached) from the cache; \(tally.joined(separator: ", "))")
            }
            let data = try JSONSerialization.data(withJSONObject: tuner.decisions(), options: [.sortedKeys])
            payload = String(decoding: data, as: UTF8.self)
        }
        guard communicator.size > 1 else { return }
        payload = try communicator.broadcast(payload, root: 0)
        if communicator.rank != 0, let decisions = try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: String] {
            tuner.adopt(decisions)
        }
    }

    /// The UNet's convolutions at this rank's batch (none for the MLP, or for images that are
    /// not square, whose shapes are then decided on first use).
    static func convolutions(_ config: TrainConfig, sampleShape: [Int], batch: Int) -> [Conv2dGeometry] {
        guard config.model.kind == .unet, sampleShape.count == 3, sampleShape[1] == sampleShape[2], batch > 0 else { return [] }
        let shapes = UNetConvolutions(ModelSetup.unetConfig(config, inChannels: sampleShape[0]),
                                      height: sampleShape[1], width: sampleShape[2], batch: batch)
        return shapes.distinct.map(\.geometry)
    }
}
