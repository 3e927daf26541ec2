import Foundation
import Autograd
import NN
import Tensor

/// The learned noise schedule of VDM (Kingma et al. 2021): gamma(t) = -log SNR(t) = log(sigma^2 / alpha^2)
/// from a monotone network with positive weights (softplus of the raw parameters), as the VDM code's
/// NoiseNet:
///     gtilde(t) = w1 t + b1 + (1/H) sum_h w3_h (2 sigmoid(w2_h (2t - 1) + b2_h) - 1),   w = softplus(raw) > 0,
///     gamma(t)  = gammaMin + (gammaMax - gammaMin) (gtilde(t) - gtilde(0)) / (gtilde(1) - gtilde(0)),
/// so gamma is increasing with fixed endpoints gammaMin (-13.3) and gammaMax (5.0). Then
/// sigma_t^2 = sigmoid(gamma), alpha_t^2 = sigmoid(-gamma). The exact derivative
///     gtilde'(t) = w1 + (1/H) sum_h 4 w3_h w2_h s_h (1 - s_h),  gamma' = (gammaMax - gammaMin) gtilde' / (gtilde(1) - gtilde(0)),
/// is built from autograd ops, so gamma and gamma' are differentiable in the parameters.
/// Parameters (PyTorch layouts): l1.weight [1, 1], l1.bias [1], l2.weight [H, 1], l2.bias [H], l3.weight [1, H].
public final class LearnedSchedule: Module, NoiseSchedule {
    public let gammaMin: Double
    public let gammaMax: Double
    public let hidden: Int
    public let l1Weight: Variable
    public let l1Bias: Variable
    public let l2Weight: Variable
    public let l2Bias: Variable
    public let l3Weight: Variable

    /// Starts near the linear schedule (w1 = gammaMax - gammaMin, b1 = gammaMin) with a random
    /// monotone bump of relative size `bump` from the seed.
    public init(gammaMin: Double = -13.3, gammaMax: Double = 5.0, hidden: Int = 1024, seed: UInt64 = 0, bump: Float = 1) {
        precondition(gammaMax > gammaMin && hidden >= 1, "LearnedSchedule: need gammaMax > gammaMin and hidden >= 1")
        self.gammaMin = gammaMin
        self.gammaMax = gammaMax
        self.hidden = hidden
        var initialiser = ParameterInitialiser(seed: seed)
        func inverseSoftplus(_ y: Float) -> Float { y > 20 ? y : Foundation.log(Foundation.expm1(y)) }
        l1Weight = Variable(Tensor(shape: [1, 1], values: [inverseSoftplus(Float(gammaMax - gammaMin))]), requiresGrad: true)
        l1Bias = Variable(Tensor(shape: [1], values: [Float(gammaMin)]), requiresGrad: true)
        l2Weight = initialiser.uniform([hidden, 1], bound: 2)
        l2Bias = initialiser.uniform([hidden], bound: 2)
        l3Weight = initialiser.uniform([1, hidden], bound: 1)
        l3Weight.value.addInPlace(Tensor(shape: [1, hidden], repeating: inverseSoftplus(bump * Float(gammaMax - gammaMin))))
        for (name, v) in namedParameters { v.name = name }
    }

    public var namedParameters: [(name: String, variable: Variable)] {
        [("l1.weight", l1Weight), ("l1.bias", l1Bias), ("l2.weight", l2Weight), ("l2.bias", l2Bias), ("l3.weight", l3Weight)]
    }

    /// gtilde and gtilde' at times t ([B]) for raw parameters [l1.weight, l1.bias, l2.weight, l2.bias, l3.weight].
    static func network(_ t: Variable, _ p: [Variable]) -> (value: Variable, derivative: Variable) {
        let b = t.shape[0], h = p[2].shape[0]
        let tt = reshape(t, [b, 1])
        let w1 = softplus(p[0]), w2 = reshape(softplus(p[2]), [1, h]), b2 = reshape(p[3], [1, h]), w3 = softplus(p[4])
        let s = sigmoid((2 * tt - 1) * w2 + b2)
        let value = tt * w1 + p[1] + sum((2 * s - 1) * w3, axes: [1], keepDims: true) / Float(h)
        let derivative = w1 + sum(4 * s * (1 - s) * w2 * w3, axes: [1], keepDims: true) / Float(h)
        return (value, derivative)
    }

    /// gamma(t) and gamma'(t) for raw parameters `p`, each of shape [B].
    static func gamma(_ t: Variable, parameters p: [Variable], gammaMin: Double, gammaMax: Double) -> (gamma: Variable, derivative: Variable) {
        let b = t.shape[0]
        let (g, dg) = network(t, p)
        let ends = network(Variable(Tensor(shape: [2], values: [0, 1])), p).value
        let g0 = slice(ends, axis: 0, range: 0..<1), g1 = slice(ends, axis: 0, range: 1..<2)
        let scale = Float(gammaMax - gammaMin) / (g1 - g0)
        return (reshape(Float(gammaMin) + (g - g0) * scale, [b]), reshape(dg * scale, [b]))
    }

    /// gamma(t) and gamma'(t) for times `t` ([B]) with the graph recorded (for the VDM loss).
    public func gamma(_ t: Variable) -> (gamma: Variable, derivative: Variable) {
        LearnedSchedule.gamma(t, parameters: parameters, gammaMin: gammaMin, gammaMax: gammaMax)
    }

    /// gamma(t) and gamma'(t) in Float64 from the current parameter values.
    public func gamma(_ t: Double) -> (gamma: Double, derivative: Double) {
        func sp(_ x: Float) -> Double { let v = Double(x); return v > 30 ? v : Foundation.log1p(Foundation.exp(v)) }
        let w1 = sp(l1Weight.value.item), b1 = Double(l1Bias.value.item)
        let w2 = l2Weight.value.scalars.map(sp), b2 = l2Bias.value.scalars.map(Double.init), w3 = l3Weight.value.scalars.map(sp)
        func g(_ t: Double) -> (Double, Double) {
            var v = w1 * t + b1, d = w1
            for k in 0..<hidden {
                let s = 1 / (1 + Foundation.exp(-(w2[k] * (2 * t - 1) + b2[k])))
                v += w3[k] * (2 * s - 1) / Double(hidden)
                d += 4 * w3[k] * w2[k] * s * (1 - s) / Double(hidden)
            }
            return (v, d)
        }
        let (g0, _) = g(0), (g1, _) = g(1), (gt, dt) = g(t)
        let scale = (gammaMax - gammaMin) / (g1 - g0)
        return (gammaMin + (gt - g0) * scale, dt * scale)
    }

    /// alpha_t = sqrt(sigmoid(-gamma)), sigma_t = sqrt(sigmoid(gamma)).
    public func callAsFunction(_ t: Double) -> (alpha: Double, sigma: Double) {
        let g = gamma(t).gamma
        return ((1 / (1 + Foundation.exp(g))).squareRoot(), (1 / (1 + Foundation.exp(-g))).squareRoot())
    }
}
