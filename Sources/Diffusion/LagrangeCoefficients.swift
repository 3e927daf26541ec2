import Foundation

/// Coefficients of (exponential) Adams-Bashforth methods: for nodes u_0..u_{n-1} and their
/// Lagrange basis l_j (l_j(u_i) = delta_ij, l_j(u) = sum_k a_jk u^k),
///     c_j = integral from a to b of w(u) l_j(u) du = sum_k a_jk m_k,   m_k = integral of w(u) u^k,
/// i.e. the solution of the Vandermonde system V c = m with V_ki = u_i^k (azula's
/// `adams_bashforth`), solved in Float64. The variable is shifted to the last node and scaled by
/// the step b - a first, which keeps V well conditioned; the moments are integrated by composite
/// 8-point Gauss-Legendre, exact for polynomial weights and accurate to rounding for the
/// weights e^u, -e^(-u) and 1/(2 cosh u) of the exponential integrators (azula solves the same
/// system unshifted, with closed-form moments, and a 257-point trapezoid rule for REAB).
public enum LagrangeCoefficients {
    public static func integrals(nodes: [Double], from a: Double, to b: Double, weight: (Double) -> Double) -> [Double] {
        let n = nodes.count
        precondition(n >= 1, "LagrangeCoefficients: no nodes")
        let h = b - a
        guard h != 0 else { return Array(repeating: 0, count: n) }
        let centre = nodes[n - 1]
        let v = nodes.map { ($0 - centre) / h }
        let lo = (a - centre) / h, hi = (b - centre) / h
        // Moments in the local variable v = (u - centre) / h: m_k = h * int_lo^hi w(centre + h v) v^k dv.
        let pieces = max(1, Int((abs(h) * abs(hi - lo) / 0.25).rounded(.up)))
        var m = Array(repeating: 0.0, count: n)
        for p in 0..<pieces {
            let p0 = lo + (hi - lo) * Double(p) / Double(pieces)
            let p1 = lo + (hi - lo) * Double(p + 1) / Double(pieces)
            let mid = (p0 + p1) / 2, half = (p1 - p0) / 2
            for (x, w) in zip(gaussLegendreNodes, gaussLegendreWeights) {
                let vq = mid + half * x
                let f = h * half * w * weight(centre + h * vq)
                var vk = 1.0
                for k in 0..<n { m[k] += f * vk; vk *= vq }
            }
        }
        var vandermonde = Matrix64(zeros: n, n)
        for k in 0..<n { for i in 0..<n { vandermonde[k, i] = pow(v[i], Double(k)) } }
        guard let c = vandermonde.solve(m) else {
            preconditionFailure("LagrangeCoefficients: repeated nodes \(nodes)")
        }
        return c
    }

    static let gaussLegendreNodes: [Double] = [
        -0.9602898564975363, -0.7966664774136267, -0.5255324099163290, -0.1834346424956498,
        0.1834346424956498, 0.5255324099163290, 0.7966664774136267, 0.9602898564975363,
    ]
    static let gaussLegendreWeights: [Double] = [
        0.1012285362903763, 0.2223810344533745, 0.3137066458778873, 0.3626837833783620,
        0.3626837833783620, 0.3137066458778873, 0.2223810344533745, 0.1012285362903763,
    ]
}
