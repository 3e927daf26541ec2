import XCTest
@testable import Tensor

/// The Adam update against the formula written out here, bit for bit: the portable loop, and
/// every SIMD level's loop the CPU runs (same operations, same order), at vector tails, for
/// Adam's L2 term and AdamW's decoupled decay, over several steps.
final class AdamUpdateTests: XCTestCase {
    func testEveryPathGivesTheFormulasBits() {
        let rng = CounterRNG(seed: 5)
        for (index, (n, l2, shrink)) in [(1, Float(0), Float(1)), (7, 0, 1), (8, 0.01, 1), (1029, 0, 0.999), (70_001, 0.1, 0.99)].enumerated() {
            let p0 = rng.normal([n], purpose: .misc, step: UInt32(index), firstSample: 0)
            let g = rng.normal([n], purpose: .misc, stream: 1, step: UInt32(index), firstSample: 0)
            var (p, m, v) = (p0.scalars, [Float](repeating: 0, count: n), [Float](repeating: 0, count: n))
            let paths = SIMDLevel.supported
            let state = paths.map { _ in (p: p0.copy(), m: Tensor(zeros: [n]), v: Tensor(zeros: [n])) }
            for t in 1...3 {
                let s = AdamUpdate.Scalars(beta1: 0.9, beta2: 0.999, stepSize: 1e-3 / (1 - pow(0.9, Float(t))),
                                           bias2Sqrt: (1 - pow(0.999, Float(t))).squareRoot(), eps: 1e-8, l2: l2, shrink: shrink)
                for (path, level) in paths.enumerated() {
                    let x = state[path]
                    AdamUpdate.apply(p: x.p.pointer, grad: g.pointer, m: x.m.pointer, v: x.v.pointer, count: n, s, simd: level)
                }
                for i in 0..<n {   // the formula, one element at a time
                    let gi = g.pointer[i] + l2 * p[i]
                    p[i] = p[i] * shrink
                    m[i] = m[i] + (1 - 0.9) * (gi - m[i])
                    v[i] = 0.999 * v[i] + (1 - 0.999) * gi * gi
                    p[i] = p[i] - s.stepSize * m[i] / (v[i].squareRoot() / s.bias2Sqrt + 1e-8)
                }
            }
            for (path, level) in paths.enumerated() {
                XCTAssertEqual(state[path].p.scalars, p, "parameters, case \(index), \(level)")
                XCTAssertEqual(state[path].m.scalars, m, "first moments, case \(index), \(level)")
                XCTAssertEqual(state[path].v.scalars, v, "second moments, case \(index), \(level)")
            }
            XCTAssertNotEqual(p, p0.scalars, "the update moved the parameters, case \(index)")
        }
    }
}
