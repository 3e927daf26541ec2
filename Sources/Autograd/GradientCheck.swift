import Tensor

/// Compares autograd gradients with central finite differences.
///
/// The function under test is reduced to the scalar `L = sum(f(x) * r)` with a fixed random
/// projection `r`, accumulated in Float64; for each checked input element,
/// `dL/dx ~ (L(x + eps) - L(x - eps)) / (2 eps)`. Float32 round-off limits the agreement,
/// so results are reported as the worst error relative to `max(|analytic|, |numeric|, floor)`.
public enum GradientCheck {
    public struct Result: CustomStringConvertible {
        public var maxRelativeError: Double
        public var maxAbsoluteError: Double
        public var worst: String
        public var description: String {
            "max relative error \(maxRelativeError), max absolute error \(maxAbsoluteError) at \(worst)"
        }
    }

    /// - Parameters:
    ///   - inputs: tensors to differentiate with respect to (copied; not modified).
    ///   - maxElements: at most this many elements per input are probed (spread evenly).
    ///   - f: the function, building its graph from the given variables.
    public static func check(inputs: [Tensor], eps: Float = 1e-2, maxElements: Int = 64, floor: Double = 1e-2,
                             seed: UInt64 = 7, _ f: ([Variable]) -> Variable) -> Result {
        let xs = inputs.map { $0.copy() }
        let vars = xs.map { Variable($0, requiresGrad: true) }
        let out = f(vars)
        let r = CounterRNG(seed: seed).normal([1, out.value.count], purpose: .misc, step: 0, firstSample: 0).reshaped(out.shape)
        out.backward(seed: r)

        func loss() -> Double {
            let y = withNoGrad { f(xs.map { Variable($0) }) }.value
            var acc = 0.0
            for i in 0..<y.count { acc += Double(y.pointer[i]) * Double(r.pointer[i]) }
            return acc
        }

        var result = Result(maxRelativeError: 0, maxAbsoluteError: 0, worst: "none")
        for (k, x) in xs.enumerated() {
            let n = x.count
            let stride = max(1, n / maxElements)
            var i = 0
            while i < n {
                let original = x.pointer[i]
                x.pointer[i] = original + eps
                let lp = loss()
                x.pointer[i] = original - eps
                let lm = loss()
                x.pointer[i] = original
                let numeric = (lp - lm) / (2 * Double(eps))
                let analytic = Double(vars[k].grad?.pointer[i] ?? 0)
                let abs = Swift.abs(numeric - analytic)
                let rel = abs / Swift.max(Swift.abs(numeric), Swift.abs(analytic), floor)
                if rel > result.maxRelativeError {
                    result.maxRelativeError = rel
                    result.worst = "input \(k) element \(i): analytic \(analytic), numeric \(numeric)"
                }
                result.maxAbsoluteError = Swift.max(result.maxAbsoluteError, abs)
                i += stride
            }
        }
        return result
    }
}
