import Autograd
import Foundation
import Tensor

/// The transformer/DDPM sinusoidal embedding of a scalar per sample (Vaswani et al. 2017;
/// Ho et al. 2020):
///
///     half = dim / 2,  f_i = exp(-ln(10000) i / (half - 1))  for i = 0..<half
///     e(c) = [sin(c f_0), ..., sin(c f_{half-1}), cos(c f_0), ..., cos(c f_{half-1})]
///
/// No parameters. Differentiable in `c` (a learned noise schedule may need it):
/// `de_i/dc = f_i cos(c f_i)`, `de_{half+i}/dc = -f_i sin(c f_i)`.
public final class SinusoidalEmbedding: Module {
    public let dim: Int
    /// `f_i`, computed in Float64 and rounded.
    public let frequencies: [Float]

    public init(dim: Int) {
        precondition(dim >= 4 && dim % 2 == 0, "SinusoidalEmbedding: dim \(dim) must be even and at least 4")
        self.dim = dim
        let half = dim / 2
        frequencies = (0..<half).map { Float(Foundation.exp(-Foundation.log(10000.0) * Double($0) / Double(half - 1))) }
    }

    public var namedParameters: [(name: String, variable: Variable)] { [] }

    /// `c` is `[B]`, or `[]` (one value for the whole batch); returns `[batch, dim]`.
    public func callAsFunction(_ c: Variable, batch: Int) -> Variable {
        precondition(c.shape == [batch] || c.shape == [] || c.shape == [1],
                     "SinusoidalEmbedding: conditioning of shape \(c.shape) for a batch of \(batch); expected [\(batch)] or []")
        let shared = c.value.count == 1
        let half = dim / 2, dim = dim, f = frequencies
        let cv = c.value
        let out = Tensor(uninitialized: [batch, dim])
        let o = out.pointer
        for b in 0..<batch {
            let cb = cv.pointer[shared ? 0 : b]
            for i in 0..<half {
                let a = cb * f[i]
                o[b * dim + i] = Foundation.sin(a)
                o[b * dim + half + i] = Foundation.cos(a)
            }
        }
        return Variable(out, op: "sinusoidalEmbedding", inputs: [c]) { g in
            let gc = Tensor(zeros: cv.shape)
            let gp = g.pointer
            for b in 0..<batch {
                let cb = cv.pointer[shared ? 0 : b]
                var acc: Float = 0
                for i in 0..<half {
                    let a = cb * f[i]
                    acc += gp[b * dim + i] * f[i] * Foundation.cos(a) - gp[b * dim + half + i] * f[i] * Foundation.sin(a)
                }
                gc.pointer[shared ? 0 : b] += acc
            }
            return [gc]
        }
    }
}
