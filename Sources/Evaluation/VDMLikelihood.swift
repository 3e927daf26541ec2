import Autograd
import Diffusion
import Foundation
import Tensor

/// Bits per dimension of data under a variational diffusion model (Kingma et al. 2021): the
/// negative ELBO of `VDM` per sample,
///     L(x) = E_{t, eps}[1/2 gamma'(t) ||eps - eps_hat(z_t)||^2] + KL(q(z_1 | x) || N(0, I)) + E[-log p(x | z_0)],
/// with the expectation estimated by `draws` draws of (t ~ U(0, 1), eps, eps_0) per sample,
/// keyed by (seed, draw, global sample index) so a sample's value does not depend on its batch.
/// The 256-level decoder makes L a discrete likelihood: bpd = L / (D ln 2) in 8-bit units.
public enum VDMLikelihood {
    /// The terms of the negative ELBO per sample (nats).
    public struct Terms: Equatable {
        public var diffusion: [Double]
        public var prior: [Double]
        public var reconstruction: [Double]
        /// Elements per sample.
        public var dimensions: Int
        public var total: [Double] { (0..<diffusion.count).map { diffusion[$0] + prior[$0] + reconstruction[$0] } }
    }

    /// The negative ELBO terms (nats) of each sample of `x`, averaged over the draws.
    public static func terms(_ vdm: VDM, _ x: Tensor, draws: Int, seed: UInt64, firstSample: Int = 0) -> Terms {
        precondition(draws >= 1, "VDMLikelihood: draws must be at least 1, got \(draws)")
        let b = x.shape[0]
        let rng = CounterRNG(seed: seed)
        var diffusion = [Double](repeating: 0, count: b), reconstruction = [Double](repeating: 0, count: b)
        withNoGrad {
            for k in 0..<draws {
                let step = UInt32(k)
                let t = (0..<b).map { rng.uniformDouble(purpose: .time, step: step, sample: UInt32(firstSample + $0)) }
                let eps = rng.normal(x.shape, purpose: .noise, stream: 0, step: step, firstSample: firstSample)
                let eps0 = rng.normal(x.shape, purpose: .noise, stream: 1, step: step, firstSample: firstSample)
                let d = vdm.diffusionLoss(x, times: t, noise: eps, context: .inference).value
                let r = vdm.reconstructionLoss(x, noise: eps0)
                for s in 0..<b {
                    diffusion[s] += Double(d.pointer[s]) / Double(draws)
                    reconstruction[s] += r[s] / Double(draws)
                }
            }
        }
        return Terms(diffusion: diffusion, prior: vdm.priorLoss(x), reconstruction: reconstruction,
                         dimensions: x.count / max(1, b))
    }

    /// bpd of every sample of `x`, batch by batch.
    public static func bitsPerDimension(_ vdm: VDM, _ x: Tensor, draws: Int, seed: UInt64, batch: Int) -> [Double] {
        let n = x.shape[0]
        var bits: [Double] = []
        for start in stride(from: 0, to: n, by: batch) {
            let rows = start..<min(n, start + batch)
            let t = terms(vdm, x.slice(rows).copy(), draws: draws, seed: seed, firstSample: start)
            bits += t.total.map { VDM.bitsPerDimension(nats: $0, dimensions: t.dimensions) }
        }
        return bits
    }
}
