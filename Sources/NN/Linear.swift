import Autograd
import Tensor

/// `y = x W^T + b` (PyTorch `nn.Linear`): weight `[out, in]`, bias `[out]`, both initialised
/// uniform in `±1/sqrt(in)` (PyTorch's default), or zero with `zeroInit`.
public final class Linear: Module {
    public let inFeatures: Int
    public let outFeatures: Int
    public let weight: Variable
    public let bias: Variable?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, zeroInit: Bool = false,
                initialiser: inout ParameterInitialiser) {
        precondition(inFeatures > 0 && outFeatures > 0, "Linear: features \(inFeatures) -> \(outFeatures) must be positive")
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        let bound = zeroInit ? 0 : ParameterInitialiser.defaultBound(fanIn: inFeatures)
        weight = zeroInit ? initialiser.constant([outFeatures, inFeatures], 0) : initialiser.uniform([outFeatures, inFeatures], bound: bound)
        self.bias = bias ? (zeroInit ? initialiser.constant([outFeatures], 0) : initialiser.uniform([outFeatures], bound: bound)) : nil
    }

    public var namedParameters: [(name: String, variable: Variable)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// `x` is `[N, in]`; returns `[N, out]`.
    public func callAsFunction(_ x: Variable) -> Variable { linear(x, weight: weight, bias: bias) }
}
