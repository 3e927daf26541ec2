import Autograd

/// Halves the resolution: a 3x3 convolution with stride 2 and padding 1, C -> C
/// (parameters `weight`, `bias` directly, as `down.{d}.downsample.weight`).
public final class Downsample: Module {
    public let conv: Conv2d

    public init(_ channels: Int, initialiser: inout ParameterInitialiser) {
        conv = Conv2d(channels, channels, kernelSize: 3, stride: 2, padding: 1, initialiser: &initialiser)
    }

    public var namedParameters: [(name: String, variable: Variable)] { conv.namedParameters }

    public func callAsFunction(_ x: Variable) -> Variable { conv(x) }
}
