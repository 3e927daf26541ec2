import Tensor

/// A tensor in the autograd graph.
///
/// A leaf has no creator; its gradient accumulates in `grad` across `backward()` calls until
/// reset (PyTorch semantics). A leaf may be given a preassigned gradient buffer (a view into a
/// flat gradient buffer), and then gradients are added into that memory in place.
/// Interior variables hold a `creator` node until `backward()` runs through them; the graph is
/// released after backward, so its memory returns.
public final class Variable {
    public var value: Tensor
    public var grad: Tensor?
    public let requiresGrad: Bool
    /// A name for messages and parameter bookkeeping (dotted PyTorch name for parameters).
    public var name: String?
    /// The operation that produced this variable (nil for leaves and under `withNoGrad`).
    public internal(set) var creator: Node?

    public var shape: [Int] { value.shape }
    public var isLeaf: Bool { creator == nil }

    /// A leaf variable (a constant unless `requiresGrad`).
    public init(_ value: Tensor, requiresGrad: Bool = false, name: String? = nil) {
        self.value = value
        self.requiresGrad = requiresGrad
        self.name = name
    }

    /// The result of an operation: records `backward` when grad mode is on and an input needs it.
    ///
    /// `backward` receives the gradient of the output and returns one gradient per input
    /// (nil for inputs that do not require one); it may return tensors it allocates, which the
    /// engine then owns.
    public init(_ value: Tensor, op: String, inputs: [Variable], backward: @escaping (Tensor) -> [Tensor?]) {
        self.value = value
        let needs = GradMode.isEnabled && inputs.contains { $0.requiresGrad }
        self.requiresGrad = needs
        if needs { creator = Node(op: op, inputs: inputs, backward: backward) }
    }

    /// Sets the gradient to zero (in place when it is a preassigned buffer).
    public func zeroGrad() { grad?.fill(0) }

    /// A leaf sharing this variable's value but cut from the graph.
    public func detached() -> Variable { Variable(value, requiresGrad: false, name: name) }
}

/// One recorded operation: its inputs and its backward function.
public final class Node {
    public let op: String
    var inputs: [Variable]
    var backward: ((Tensor) -> [Tensor?])?

    init(op: String, inputs: [Variable], backward: @escaping (Tensor) -> [Tensor?]) {
        self.op = op
        self.inputs = inputs
        self.backward = backward
    }
}
