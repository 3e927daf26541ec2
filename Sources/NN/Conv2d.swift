import Autograd
import Tensor

/// 2-D convolution with zero padding (PyTorch `nn.Conv2d`): weight `[out, in, k, k]`,
/// bias `[out]`, both uniform in `±1/sqrt(in k^2)` (PyTorch's default), or zero with `zeroInit`.
public final class Conv2d: Module {
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    public let weight: Variable
    public let bias: Variable

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                zeroInit: Bool = false, initialiser: inout ParameterInitialiser) {
        precondition(inChannels > 0 && outChannels > 0 && kernelSize > 0 && stride > 0 && padding >= 0,
                     "Conv2d: channels \(inChannels) -> \(outChannels), kernel \(kernelSize), stride \(stride), padding \(padding)")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        let shape = [outChannels, inChannels, kernelSize, kernelSize]
        if zeroInit {
            weight = initialiser.constant(shape, 0)
            bias = initialiser.constant([outChannels], 0)
        } else {
            let bound = ParameterInitialiser.defaultBound(fanIn: inChannels * kernelSize * kernelSize)
            weight = initialiser.uniform(shape, bound: bound)
            bias = initialiser.uniform([outChannels], bound: bound)
        }
    }

    public var namedParameters: [(name: String, variable: Variable)] { [("weight", weight), ("bias", bias)] }

    /// `x` is `[B, in, H, W]`.
    public func callAsFunction(_ x: Variable) -> Variable {
        ConvTrace.recorder?.record(self, input: x.shape)
        return conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding)
    }
}
