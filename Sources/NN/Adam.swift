import Foundation
import Tensor

/// Adam (Kingma & Ba 2015) with PyTorch's semantics and defaults: lr 1e-3, betas (0.9, 0.999),
/// eps 1e-8, weight decay 0. The update, exactly as PyTorch's single-tensor Adam/AdamW:
///
///     g = grad + weightDecay * p                      (Adam: L2 term added to the gradient)
///     p *= 1 - lr * weightDecay                       (AdamW, decoupled; Loshchilov & Hutter 2019)
///     m = m + (1 - beta1) (g - m)
///     v = beta2 v + (1 - beta2) g^2
///     p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
///
/// (Algorithm 1 of Kingma & Ba with bias correction; `t` is the step counter.)
/// `AdamW(...)` makes the decoupled form with weight decay 0.01.
public final class Adam: Optimizer {
    public let parameters: ParameterSet
    public var lr: Float
    public let betas: (Float, Float)
    public let eps: Float
    public let weightDecay: Float
    /// AdamW's decoupled weight decay instead of Adam's L2 term.
    public let decoupledWeightDecay: Bool
    /// Step counter and moments, for checkpoints.
    public private(set) var state: AdamState

    public init(_ parameters: ParameterSet, lr: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                eps: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
        precondition(lr >= 0 && eps >= 0 && weightDecay >= 0, "Adam: lr \(lr), eps \(eps), weightDecay \(weightDecay) must be >= 0")
        precondition((0..<1).contains(betas.0) && (0..<1).contains(betas.1), "Adam: betas \(betas) must lie in [0, 1)")
        self.parameters = parameters
        self.lr = lr
        self.betas = betas
        self.eps = eps
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        state = AdamState(step: 0, m: Tensor(zeros: [parameters.count]), v: Tensor(zeros: [parameters.count]))
    }

    public func step(lr lrOverride: Float? = nil) {
        let lr = lrOverride ?? self.lr
        state.step += 1
        let t = Double(state.step)
        let (b1, b2) = betas
        let bias1 = 1 - pow(Double(b1), t)
        let bias2 = 1 - pow(Double(b2), t)
        let stepSize = Float(Double(lr) / bias1)
        let bias2Sqrt = Float(bias2.squareRoot())
        let l2: Float = decoupledWeightDecay ? 0 : weightDecay
        let shrink: Float = decoupledWeightDecay ? 1 - lr * weightDecay : 1
        AdamUpdate.apply(p: parameters.values.pointer, grad: parameters.grads.pointer, m: state.m.pointer, v: state.v.pointer,
                         count: parameters.count,
                         .init(beta1: b1, beta2: b2, stepSize: stepSize, bias2Sqrt: bias2Sqrt, eps: eps, l2: l2, shrink: shrink))
        parameters.values.storage.markModified()
    }

    /// Replaces the state (from a checkpoint); throws if its size does not fit the parameters.
    public func restore(_ s: AdamState) throws {
        let count = parameters.count
        guard s.m.count == count, s.v.count == count, s.step >= 0 else {
            throw OptimizerStateError(description:
                "Adam state: m has \(s.m.count) and v \(s.v.count) elements with step \(s.step); the parameters have \(count) elements")
        }
        state = AdamState(step: s.step, m: s.m.copy().reshaped([count]), v: s.v.copy().reshaped([count]))
    }
}
