import CKernels

/// The element-wise update of Adam (Kingma & Ba 2015) with PyTorch's single-tensor
/// semantics, on flat buffers (NN's `Adam` computes the scalars):
///
///     g = grad + l2 p                       (Adam's L2 term; 0 for AdamW)
///     p = shrink p                          (AdamW's decoupled decay 1 - lr wd; 1 for Adam)
///     m = m + (1 - beta1) (g - m)
///     v = beta2 v + (1 - beta2) g^2
///     p = p - stepSize m / (sqrt(v) / bias2Sqrt + eps)
///
/// with `stepSize = lr / (1 - beta1^t)` and `bias2Sqrt = sqrt(1 - beta2^t)`. Chunks of the
/// buffers go to the workers; with a `simd` level other than `portable` each chunk runs that
/// level's `CKernels` loop (8 or 16 lanes), which performs the same operations in the same
/// order and so gives the same bits.
public enum AdamUpdate {
    public struct Scalars: Sendable {
        public var beta1, beta2, stepSize, bias2Sqrt, eps, l2, shrink: Float
        public init(beta1: Float, beta2: Float, stepSize: Float, bias2Sqrt: Float, eps: Float, l2: Float, shrink: Float) {
            (self.beta1, self.beta2, self.stepSize, self.bias2Sqrt, self.eps, self.l2, self.shrink)
                = (beta1, beta2, stepSize, bias2Sqrt, eps, l2, shrink)
        }
    }

    public static func apply(p: UnsafeMutablePointer<Float>, grad g: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>,
                             v: UnsafeMutablePointer<Float>, count: Int, _ s: Scalars,
                             simd: SIMDLevel = CPUFeatures.simd) {
        Parallel.forChunks(count, cost: 8) { r in
            let (pc, gc, mc, vc) = (p + r.lowerBound, g + r.lowerBound, m + r.lowerBound, v + r.lowerBound)
            if let kernels = simd.kernels {
                kernels.adam_update(pc, gc, mc, vc, r.count, s.beta1, s.beta2, s.stepSize, s.bias2Sqrt, s.eps, s.l2, s.shrink)
            } else {
                portable(pc, gc, mc, vc, r.count, s)
            }
        }
    }

    static func portable(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                         _ v: UnsafeMutablePointer<Float>, _ n: Int, _ s: Scalars) {
        let (b1, b2, stepSize, bias2Sqrt, eps, l2, shrink) = (s.beta1, s.beta2, s.stepSize, s.bias2Sqrt, s.eps, s.l2, s.shrink)
        for i in 0..<n {
            var gi = g[i]
            if l2 != 0 { gi += l2 * p[i] }
            if shrink != 1 { p[i] *= shrink }
            m[i] += (1 - b1) * (gi - m[i])
            v[i] = b2 * v[i] + (1 - b2) * gi * gi
            let denom = v[i].squareRoot() / bias2Sqrt + eps
            p[i] -= stepSize * m[i] / denom
        }
    }
}
