import Autograd
import Diffusion
import NN
import Tensor

/// A denoiser whose posterior mean mu(x_t) = E[x | x_t] can also report, per sample, the
/// quadratic form v^T (d mu / d x_t) v of its Jacobian for a probe v: the building block of the
/// Hutchinson estimate E_v[v^T J v] = tr J (Hutchinson 1989), with v Rademacher (or a basis
/// vector for the exact trace).
public protocol MeanJacobianProbe {
    var schedule: any NoiseSchedule { get }
    /// The mean at time t of the batch `xt` [B, ...] and v_b^T J_b v_b for the probes `v` (shape of `xt`).
    func meanAndProbe(_ xt: Tensor, t: Double, probes v: Tensor) -> (mean: Tensor, quadratic: [Double])
}

/// A backbone denoiser's mean c_skip x + c_out F(c_in x, c_time) with its Jacobian probed by
/// one reverse-mode pass: d mu / dx = c_skip I + c_out c_in dF/du at u = c_in x, so
///     v^T J v = c_skip v.v + c_out c_in v.(dF/du^T v).
public struct BackboneMeanJacobian: MeanJacobianProbe {
    public let denoiser: any BackboneDenoiser

    public init(_ denoiser: any BackboneDenoiser) { self.denoiser = denoiser }

    public var schedule: any NoiseSchedule { denoiser.schedule }

    public func meanAndProbe(_ xt: Tensor, t: Double, probes v: Tensor) -> (mean: Tensor, quadratic: [Double]) {
        Tensor.checkSameShape(xt, v, "BackboneMeanJacobian.meanAndProbe")
        let (alpha, sigma) = schedule(t)
        let c = denoiser.preconditioning(alpha: alpha, sigma: sigma)
        let b = xt.shape[0]
        let u = xt.copy()
        u.scaleInPlace(Float(c.cIn))
        let input = Variable(u, requiresGrad: true)
        let f = denoiser.backbone.forward(input, Variable(Tensor(shape: [b], repeating: Float(c.cTime))), context: .inference)
        let mean = f.value.copy()
        mean.scaleInPlace(Float(c.cOut))
        mean.addInPlace(xt, scaledBy: Float(c.cSkip))
        f.backward(seed: v)
        let g = input.grad ?? Tensor(zeros: xt.shape)
        let per = xt.count / max(1, b)
        let vp = v.pointer, gp = g.pointer
        let quadratic = (0..<b).map { s -> Double in
            var vv = 0.0, vg = 0.0
            for i in (s * per)..<((s + 1) * per) {
                vv += Double(vp[i]) * Double(vp[i])
                vg += Double(vp[i]) * Double(gp[i])
            }
            return c.cSkip * vv + c.cOut * c.cIn * vg
        }
        return (mean, quadratic)
    }
}

extension GaussianDenoiser: MeanJacobianProbe {
    /// The analytic Gaussian's mean is affine in x_t with Jacobian K (its gain): v^T K v exactly.
    public func meanAndProbe(_ xt: Tensor, t: Double, probes v: Tensor) -> (mean: Tensor, quadratic: [Double]) {
        Tensor.checkSameShape(xt, v, "GaussianDenoiser.meanAndProbe")
        let k = gain(t).gain
        let n = dimension, b = xt.count / n
        let quadratic = (0..<b).map { s -> Double in
            let w = (0..<n).map { Double(v.pointer[s * n + $0]) }
            let kw = k * w
            return zip(w, kw).reduce(0) { $0 + $1.0 * $1.1 }
        }
        return (self(xt, t: t).mean, quadratic)
    }
}
