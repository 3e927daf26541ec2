import Foundation

/// The Fréchet distance between two Gaussians fitted to feature sets (Dowson & Landau 1982;
/// as FID, Heusel et al. 2017, "GANs trained by a two time-scale update rule"):
///     d^2 = |mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1 S2)^{1/2}).
/// The trace of the matrix square root is computed stably from symmetric matrices only:
/// (S1 S2)^{1/2} is similar to M^{1/2} with M = S1^{1/2} S2 S1^{1/2} (symmetric, PSD), so
///     Tr (S1 S2)^{1/2} = sum_i sqrt(max(0, lambda_i(M))),
/// with S1^{1/2} and the lambda_i(M) from `SymmetricEigen`. Covariances are the unbiased
/// sample covariances (divided by N - 1), as in the reference implementation.
public enum FrechetDistance {
    /// Mean [D] and covariance [D x D] (row-major) of `n` rows of `d` features, in Float64.
    public struct Moments: Equatable, Sendable {
        public var mean: [Double]
        public var covariance: [Double]
        public var count: Int
        public var dimension: Int { mean.count }

        public init(mean: [Double], covariance: [Double], count: Int) {
            self.mean = mean; self.covariance = covariance; self.count = count
        }

        /// The moments of `features` (row-major, `count` x `dimension`); needs count >= 2.
        public init(features: [Float], count: Int, dimension d: Int) {
            precondition(count >= 2 && features.count == count * d, "FrechetDistance.Moments: \(features.count) values for \(count) x \(d) (need at least 2 rows)")
            var mu = [Double](repeating: 0, count: d)
            for i in 0..<count { for j in 0..<d { mu[j] += Double(features[i * d + j]) } }
            for j in 0..<d { mu[j] /= Double(count) }
            var s = [Double](repeating: 0, count: d * d)
            var centred = [Double](repeating: 0, count: d)
            for i in 0..<count {
                for j in 0..<d { centred[j] = Double(features[i * d + j]) - mu[j] }
                for a in 0..<d {
                    let ca = centred[a]
                    if ca == 0 { continue }
                    for b in a..<d { s[a * d + b] += ca * centred[b] }
                }
            }
            for a in 0..<d {
                for b in a..<d {
                    let v = s[a * d + b] / Double(count - 1)
                    s[a * d + b] = v
                    s[b * d + a] = v
                }
            }
            self.init(mean: mu, covariance: s, count: count)
        }
    }

    /// d^2 between N(m1.mean, m1.covariance) and N(m2.mean, m2.covariance).
    public static func squared(_ m1: Moments, _ m2: Moments) -> Double {
        let d = m1.dimension
        precondition(m2.dimension == d, "FrechetDistance: features of dimension \(d) and \(m2.dimension)")
        var meanTerm = 0.0
        for j in 0..<d { meanTerm += (m1.mean[j] - m2.mean[j]) * (m1.mean[j] - m2.mean[j]) }
        var trace1 = 0.0, trace2 = 0.0
        for j in 0..<d { trace1 += m1.covariance[j * d + j]; trace2 += m2.covariance[j * d + j] }
        let root1 = SymmetricEigen(m1.covariance, n: d).applying { max(0, $0).squareRoot() }
        let m = product(product(root1, m2.covariance, d), root1, d)
        // Symmetrise against rounding before the eigen-decomposition.
        var symmetric = m
        for i in 0..<d { for j in 0..<d { symmetric[i * d + j] = 0.5 * (m[i * d + j] + m[j * d + i]) } }
        let traceRoot = SymmetricEigen(symmetric, n: d).values.reduce(0) { $0 + max(0, $1).squareRoot() }
        return meanTerm + trace1 + trace2 - 2 * traceRoot
    }

    /// The distance between the Gaussians fitted to two feature sets.
    public static func squared(features a: [Float], count na: Int, _ b: [Float], count nb: Int, dimension: Int) -> Double {
        squared(Moments(features: a, count: na, dimension: dimension), Moments(features: b, count: nb, dimension: dimension))
    }

    /// Row-major n x n product.
    static func product(_ a: [Double], _ b: [Double], _ n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for k in 0..<n {
                let aik = a[i * n + k]
                if aik == 0 { continue }
                for j in 0..<n { c[i * n + j] += aik * b[k * n + j] }
            }
        }
        return c
    }
}
