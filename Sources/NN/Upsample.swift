import Autograd

/// Doubles the resolution: nearest-neighbour 2x, then a 3x3 convolution C -> C
/// (parameters `weight`, `bias` directly, as `up.{d}.upsample.weight`).
public final class Upsample: Module {
    public let conv: Conv2d

    public init(_ channels: Int, initialiser: inout ParameterInitialiser) {
        conv = Conv2d(channels, channels, kernelSize: 3, padding: 1, initialiser: &initialiser)
    }

    public var namedParameters: [(name: String, variable: Variable)] { conv.namedParameters }

    public func callAsFunction(_ x: Variable) -> Variable { conv(upsampleNearest2x(x)) }
}
