import Autograd
import Tensor

/// Group normalisation (Wu & He 2018; PyTorch `nn.GroupNorm`): per sample and group of
/// `channels / groups` channels, `y = (x - mean) / sqrt(var + eps) * weight + bias` with the
/// biased variance; weight `[C]` starts at 1 and bias `[C]` at 0.
public final class GroupNorm: Module {
    public let groups: Int
    public let channels: Int
    public let eps: Float
    public let weight: Variable
    public let bias: Variable

    /// `groups` must divide `channels` (`UNetConfig.validate()` reports this as an error first).
    public init(groups: Int, channels: Int, eps: Float = 1e-5, initialiser: inout ParameterInitialiser) {
        precondition(groups > 0 && channels % groups == 0,
                     "GroupNorm: \(groups) groups do not divide \(channels) channels")
        self.groups = groups
        self.channels = channels
        self.eps = eps
        weight = initialiser.constant([channels], 1)
        bias = initialiser.constant([channels], 0)
    }

    public var namedParameters: [(name: String, variable: Variable)] { [("weight", weight), ("bias", bias)] }

    /// `x` is `[B, C, H, W]` or `[B, C]`; with `silu` the fused `SiLU(GroupNorm(x))`.
    public func callAsFunction(_ x: Variable, silu: Bool = false) -> Variable {
        silu ? groupNormSiLU(x, weight: weight, bias: bias, groups: groups, eps: eps)
             : groupNorm(x, weight: weight, bias: bias, groups: groups, eps: eps)
    }
}
