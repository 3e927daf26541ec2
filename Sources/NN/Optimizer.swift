import Tensor

/// An optimizer over the flat buffers of a `ParameterSet`.
public protocol Optimizer: AnyObject {
    var parameters: ParameterSet { get }
    /// Learning rate used when `step(lr:)` is given none.
    var lr: Float { get set }
    /// Applies one update from the gradients currently in `parameters.grads`.
    func step(lr: Float?)
}

extension Optimizer {
    public func step() { step(lr: nil) }
}

/// Adam's moment estimates and step counter, laid out like the `ParameterSet`
/// (parameter `i` occupies `ranges[i]` of `m` and `v`), for checkpoints.
public struct AdamState {
    /// Number of updates applied so far (PyTorch's `state['step']`).
    public var step: Int
    /// First moment (`exp_avg`).
    public var m: Tensor
    /// Second moment (`exp_avg_sq`).
    public var v: Tensor

    public init(step: Int, m: Tensor, v: Tensor) {
        self.step = step
        self.m = m
        self.v = v
    }
}

/// A state that does not fit the parameters it is restored into.
public struct OptimizerStateError: Error, CustomStringConvertible {
    public let description: String
}
