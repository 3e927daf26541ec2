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
