import Config
import Distributed
import Foundation
import Logging
import Tensor

/// Sets the run's precision (`train.precision`) on every rank before the first step: each rank
/// resolves the request on its own CPU (`MixedPrecision.resolve`: bf16 needs AVX512_BF16 or
/// AMX-BF16 and oneDNN's bf16 primitives, `DIFFUSE_BF16=emulate` emulates it), and if any rank
/// falls back to fp32 all do, so every rank computes the same way (np-equivalence). The run log
/// records the precision used: one line, the notice when a bf16 request runs in fp32.
enum PrecisionAgreement {
    @discardableResult
    static func activate(_ config: TrainConfig, communicator: any Communicator, logger: Logger) throws -> PrecisionMode {
        let requested = config.train.precision
        var resolution: MixedPrecision.Resolution
        do {
            resolution = try MixedPrecision.resolve(requested)
        } catch {
            throw TrainingError("\(error)")
        }
        let fellBack = requested == .bf16 && resolution.mode == .fp32
        if try communicator.anyRank(fellBack), !fellBack {
            resolution = .init(mode: .fp32, notice: "precision bf16 requested, but another rank's CPU has no bf16 kernels: running in fp32")
        }
        MixedPrecision.set(resolution.mode)
        // Notice level: rank 0's log shows it, the other ranks' (warnings only) do not repeat it.
        logger.notice("\(resolution.notice ?? "precision \(resolution.mode.rawValue)")")
        return resolution.mode
    }
}
