import Foundation
import Tensor

/// 2-D toy distributions as in FFJORD (Grathwohl et al. 2019, `toy_data.py`), each point a
/// pure function of (seed, index): its uniforms are `CounterRNG.uniformDouble(purpose: .misc,
/// stream: 1, step: 0, sample: index, index: k)`, normals Box-Muller pairs of those.
public struct ToyDataset: Dataset {
    public enum Kind: String, CaseIterable {
        /// sklearn `make_moons(noise: 0.1)`, then x * 2 + (-1, -0.2).
        case twoMoons = "two-moons"
        /// Eight N(center, 0.5^2) with centers 4 * (cos k pi/4, sin k pi/4), all divided by 1.414.
        case eightGaussians = "eight-gaussians"
        /// sklearn `make_swiss_roll(noise: 1)`: t = 1.5 pi (1 + 2u), (t cos t, t sin t) + N(0, 1), / 5.
        case swissRoll = "swiss-roll"
        /// x1 ~ U(-2, 2), x2 ~ U(0, 1) - 2 * Bernoulli(1/2) + (floor(x1) mod 2), both times 2.
        case checkerboard
    }

    public let kind: Kind
    public let count: Int
    public let seed: UInt64
    public var sampleShape: [Int] { [2] }

    public init(kind: Kind, count: Int, seed: UInt64) {
        precondition(count >= 0, "ToyDataset: negative count \(count)")
        self.kind = kind
        self.count = count
        self.seed = seed
    }

    /// Point `index` of the distribution.
    public func point(_ index: Int) -> (Double, Double) {
        let rng = CounterRNG(seed: seed)
        let u = { (k: UInt32) in rng.uniformDouble(purpose: .misc, stream: 1, step: 0, sample: UInt32(truncatingIfNeeded: index), index: k) }
        let normal = { (k: UInt32) -> (Double, Double) in
            let radius = (-2 * Foundation.log(u(k))).squareRoot(), theta = 2 * Double.pi * u(k + 1)
            return (radius * Foundation.cos(theta), radius * Foundation.sin(theta))
        }
        switch kind {
        case .twoMoons:
            let t = Double.pi * u(1)
            let (nx, ny) = normal(2)
            let (x, y) = u(0) < 0.5 ? (Foundation.cos(t), Foundation.sin(t)) : (1 - Foundation.cos(t), 1 - Foundation.sin(t) - 0.5)
            return ((x + 0.1 * nx) * 2 - 1, (y + 0.1 * ny) * 2 - 0.2)
        case .eightGaussians:
            let k = min(7, Int(u(0) * 8))
            let angle = Double(k) * Double.pi / 4
            let (nx, ny) = normal(1)
            return ((4 * Foundation.cos(angle) + 0.5 * nx) / 1.414, (4 * Foundation.sin(angle) + 0.5 * ny) / 1.414)
        case .swissRoll:
            let t = 1.5 * Double.pi * (1 + 2 * u(0))
            let (nx, ny) = normal(1)
            return ((t * Foundation.cos(t) + nx) / 5, (t * Foundation.sin(t) + ny) / 5)
        case .checkerboard:
            let x1 = u(0) * 4 - 2
            let x2 = u(1) - (u(2) < 0.5 ? 0 : 2)
            let parity = Double(((Int(x1.rounded(.down)) % 2) + 2) % 2)
            return (x1 * 2, (x2 + parity) * 2)
        }
    }

    public func samples(_ indices: [Int]) throws -> Tensor {
        checkIndices(indices, "ToyDataset(\(kind.rawValue))")
        let out = Tensor(uninitialized: [indices.count, 2])
        for (k, index) in indices.enumerated() {
            let (x, y) = point(index)
            out.pointer[2 * k] = Float(x)
            out.pointer[2 * k + 1] = Float(y)
        }
        return out
    }

    public func labels(_ indices: [Int]) throws -> [Int64]? { nil }
}
