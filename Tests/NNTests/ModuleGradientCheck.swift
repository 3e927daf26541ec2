import Autograd
import NN
import Tensor

/// Finite-difference check of a module's parameter gradients, the parameter analogue of
/// `GradientCheck`: with a fixed random `r`, `L = sum(f() * r)`; the analytic gradient comes
/// from backward into the module's flat gradient buffer, the numeric one from central
/// differences `(L(p + eps) - L(p - eps)) / (2 eps)` on `probes` elements spread over the buffer
/// (or on the given flat indices). Returns the worst error relative to
/// `max(|analytic|, |numeric|, floor)`.
func parameterGradientError(_ set: ParameterSet, indices: [Int]? = nil, probes: Int = 48, eps: Float = 1e-2,
                            floor: Double = 1e-2, _ f: () -> Variable) -> (relative: Double, worst: String) {
    set.zeroGrad()
    let y = f()
    let r = CounterRNG(seed: 11).normal([1, y.value.count], purpose: .misc, step: 0, firstSample: 0).reshaped(y.shape)
    y.backward(seed: r)
    let analytic = set.grads.copy()
    func loss() -> Double {
        let v = withNoGrad { f() }.value
        var acc = 0.0
        for i in 0..<v.count { acc += Double(v.pointer[i]) * Double(r.pointer[i]) }
        return acc
    }
    let chosen = indices ?? Array(stride(from: 0, to: set.count, by: max(1, set.count / probes)))
    var worst = (relative: 0.0, worst: "none")
    let p = set.values.pointer
    for i in chosen {
        let original = p[i]
        p[i] = original + eps
        let lp = loss()
        p[i] = original - eps
        let lm = loss()
        p[i] = original
        let numeric = (lp - lm) / (2 * Double(eps))
        let a = Double(analytic.pointer[i])
        let rel = abs(numeric - a) / max(abs(numeric), abs(a), floor)
        if rel > worst.relative {
            let name = set.ranges.indices.first { set.ranges[$0].offset <= i && i < set.ranges[$0].offset + set.ranges[$0].count }
                .map { set.names[$0] } ?? "?"
            worst = (rel, "element \(i) (\(name)): analytic \(a), numeric \(numeric)")
        }
    }
    return worst
}

/// A reproducible normal tensor for tests.
func testNormal(_ shape: [Int], seed: UInt64 = 3, scale: Float = 1) -> Tensor {
    let t = CounterRNG(seed: seed).normal(shape, purpose: .misc, step: 0, firstSample: 0)
    if scale != 1 { t.scaleInPlace(scale) }
    return t
}
