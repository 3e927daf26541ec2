import Autograd
import Tensor

/// The DDPM residual block (Ho et al. 2020; spec/unet.md):
///
///     h = conv1(SiLU(norm1(x)))                          3x3, cIn -> cOut
///     h = h + emb_proj(SiLU(temb))[:, :, None, None]     Linear embDim -> cOut
///     h = conv2(Dropout(SiLU(norm2(h))))                 3x3, cOut -> cOut, zero-initialised
///     out = skip(x) + h                                  skip: 1x1 conv if cIn != cOut, else identity
///     out = attn(out)                                    if attention
public final class ResBlock: Module {
    public let inChannels: Int
    public let outChannels: Int
    public let norm1: GroupNorm
    public let conv1: Conv2d
    public let embProj: Linear
    public let norm2: GroupNorm
    public let dropout: Dropout
    public let conv2: Conv2d
    public let skip: Conv2d?
    public let attn: AttentionBlock?

    public init(_ inChannels: Int, _ outChannels: Int, embDim: Int, groups: Int, dropout p: Float,
                dropoutStream: UInt32, attention: Bool, initialiser: inout ParameterInitialiser) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        norm1 = GroupNorm(groups: groups, channels: inChannels, initialiser: &initialiser)
        conv1 = Conv2d(inChannels, outChannels, kernelSize: 3, padding: 1, initialiser: &initialiser)
        embProj = Linear(embDim, outChannels, initialiser: &initialiser)
        norm2 = GroupNorm(groups: groups, channels: outChannels, initialiser: &initialiser)
        dropout = Dropout(p: p, stream: dropoutStream)
        conv2 = Conv2d(outChannels, outChannels, kernelSize: 3, padding: 1, zeroInit: true, initialiser: &initialiser)
        skip = inChannels != outChannels ? Conv2d(inChannels, outChannels, kernelSize: 1, initialiser: &initialiser) : nil
        attn = attention ? AttentionBlock(outChannels, groups: groups, initialiser: &initialiser) : nil
    }

    public var namedParameters: [(name: String, variable: Variable)] {
        var p = norm1.prefixed("norm1") + conv1.prefixed("conv1") + embProj.prefixed("emb_proj")
            + norm2.prefixed("norm2") + conv2.prefixed("conv2")
        if let skip { p += skip.prefixed("skip") }
        if let attn { p += attn.prefixed("attn") }
        return p
    }

    /// `x` is `[B, cIn, H, W]`; `tembSiLU` is `SiLU(temb)`, `[B, embDim]` (or `[1, embDim]`
    /// for one conditioning value shared by the batch), computed once per forward by the caller.
    public func callAsFunction(_ x: Variable, tembSiLU: Variable, context: ForwardContext) -> Variable {
        var h = conv1(norm1(x, silu: true))
        let e = embProj(tembSiLU)
        h = h + reshape(e, [e.shape[0], outChannels, 1, 1])
        h = conv2(dropout(norm2(h, silu: true), context: context))
        var out = (skip.map { $0(x) } ?? x) + h
        if let attn { out = attn(out) }
        return out
    }
}
