import Foundation

/// Eigenvalues and eigenvectors of a real symmetric matrix by the cyclic Jacobi method
/// (Golub & Van Loan, "Matrix Computations", 4th ed., section 8.5): plane rotations
/// J(p, q, theta) chosen so that (J^T A J)_pq = 0, with
///     tau = (a_qq - a_pp) / (2 a_pq),  t = sign(tau) / (|tau| + sqrt(1 + tau^2)),
///     c = 1 / sqrt(1 + t^2),  s = t c,
/// swept over all pairs p < q until the off-diagonal Frobenius norm is below
/// `tolerance` times the matrix's. Then A = V diag(lambda) V^T with V orthogonal.
/// Float64 throughout; quadratic convergence makes a handful of sweeps enough.
public struct SymmetricEigen {
    /// Eigenvalues, ascending.
    public let values: [Double]
    /// Row-major n x n; column j is the unit eigenvector of `values[j]`.
    public let vectors: [Double]
    public let n: Int

    /// `a`: row-major n x n, symmetric (only symmetric input is meaningful).
    public init(_ a: [Double], n: Int, tolerance: Double = 1e-14, maxSweeps: Int = 64) {
        precondition(a.count == n * n, "SymmetricEigen: \(a.count) entries for a \(n) x \(n) matrix")
        var m = a
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        let total = m.reduce(0) { $0 + $1 * $1 }
        for _ in 0..<maxSweeps {
            var off = 0.0
            for p in 0..<n { for q in 0..<n where q != p { off += m[p * n + q] * m[p * n + q] } }
            if off <= tolerance * tolerance * total || off == 0 { break }
            for p in 0..<(n - 1) {
                for q in (p + 1)..<n {
                    let apq = m[p * n + q]
                    if apq == 0 { continue }
                    let tau = (m[q * n + q] - m[p * n + p]) / (2 * apq)
                    let t = (tau >= 0 ? 1.0 : -1.0) / (abs(tau) + (1 + tau * tau).squareRoot())
                    let c = 1 / (1 + t * t).squareRoot(), s = t * c
                    // A <- J^T A J: columns p and q, then rows p and q.
                    for k in 0..<n {
                        let akp = m[k * n + p], akq = m[k * n + q]
                        m[k * n + p] = c * akp - s * akq
                        m[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = m[p * n + k], aqk = m[q * n + k]
                        m[p * n + k] = c * apk - s * aqk
                        m[q * n + k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        let order = (0..<n).sorted { m[$0 * n + $0] < m[$1 * n + $1] }
        values = order.map { m[$0 * n + $0] }
        var sorted = [Double](repeating: 0, count: n * n)
        for (j, source) in order.enumerated() { for k in 0..<n { sorted[k * n + j] = v[k * n + source] } }
        vectors = sorted
        self.n = n
    }

    /// V diag(f(lambda)) V^T, row-major.
    public func applying(_ f: (Double) -> Double) -> [Double] {
        let fl = values.map(f)
        var out = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in i..<n {
                var s = 0.0
                for k in 0..<n { s += vectors[i * n + k] * fl[k] * vectors[j * n + k] }
                out[i * n + j] = s
                out[j * n + i] = s
            }
        }
        return out
    }
}
