import Foundation
import Tensor

/// The sliced 2-Wasserstein distance (Rabin et al. 2011; Bonneel et al. 2015) between two point
/// sets X [N, D] and Y [M, D]:
///     SW_2(X, Y) = sqrt( 1/L sum_l W_2^2(<theta_l, X>, <theta_l, Y>) ),
/// over L directions theta_l uniform on the sphere (normalised Gaussians keyed by `seed`),
/// the 1-D W_2 between the projections computed from their quantile functions at the
/// midpoints (k + 1/2) / Q of Q = max(N, M) levels.
public enum SlicedWasserstein {
    public static func distance(_ x: Tensor, _ y: Tensor, directions: Int = 128, seed: UInt64 = 0) -> Double {
        precondition(x.rank == 2 && y.rank == 2 && x.shape[1] == y.shape[1] && x.shape[0] > 0 && y.shape[0] > 0,
                     "SlicedWasserstein: point sets of shapes \(x.shape) and \(y.shape)")
        let d = x.shape[1]
        let theta = CounterRNG(seed: seed).normal([directions, d], purpose: .misc, stream: 0x5A, step: 0, firstSample: 0)
        var total = 0.0
        for l in 0..<directions {
            var direction = (0..<d).map { Double(theta.pointer[l * d + $0]) }
            let norm = direction.reduce(0) { $0 + $1 * $1 }.squareRoot()
            direction = direction.map { $0 / max(norm, 1e-12) }
            let px = project(x, direction).sorted(), py = project(y, direction).sorted()
            let q = max(px.count, py.count)
            var sum = 0.0
            for k in 0..<q {
                let level = (Double(k) + 0.5) / Double(q)
                let diff = quantile(px, level) - quantile(py, level)
                sum += diff * diff
            }
            total += sum / Double(q)
        }
        return (total / Double(directions)).squareRoot()
    }

    static func project(_ x: Tensor, _ direction: [Double]) -> [Double] {
        let n = x.shape[0], d = x.shape[1]
        return (0..<n).map { i in (0..<d).reduce(0) { $0 + Double(x.pointer[i * d + $1]) * direction[$1] } }
    }

    /// The empirical quantile of sorted values at level in (0, 1): the value of the sample
    /// whose interval [k/n, (k+1)/n) holds the level.
    static func quantile(_ sorted: [Double], _ level: Double) -> Double {
        sorted[min(sorted.count - 1, Int(level * Double(sorted.count)))]
    }
}
