import Tensor

/// AdamW (Loshchilov & Hutter 2019, decoupled weight decay) with PyTorch's semantics and
/// defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0.01 applied as
/// `p *= 1 - lr * weightDecay` before the Adam update. See `AdamCore` for the update.
public final class AdamW: Optimizer {
    public let parameters: ParameterSet
    var core: AdamCore

    public init(_ parameters: ParameterSet, lr: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                eps: Float = 1e-8, weightDecay: Float = 0.01) {
        self.parameters = parameters
        core = AdamCore(count: parameters.count, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, decoupled: true)
    }

    public var lr: Float { get { core.lr } set { core.lr = newValue } }
    public var betas: (Float, Float) { (core.beta1, core.beta2) }
    public var eps: Float { core.eps }
    public var weightDecay: Float { core.weightDecay }
    /// Step counter and moments, for checkpoints.
    public var state: AdamState { core.state }

    public func step(lr: Float? = nil) { core.step(parameters, lr: lr) }

    /// Replaces the state (from a checkpoint); throws if its size does not fit the parameters.
    public func restore(_ state: AdamState) throws { try core.restore(state, count: parameters.count) }
}
