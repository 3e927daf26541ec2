import Autograd
import Foundation
import Tensor

/// Single-head self-attention over the pixels of a feature map (DDPM's AttnBlock;
/// spec/unet.md):
///
///     h = norm(x);  qkv = qkv(h)      1x1 conv C -> 3C; channels [0,C) q, [C,2C) k, [2C,3C) v
///     w = softmax_keys(q^T k / sqrt(C))            [B, HW_query, HW_key]
///     o[b, c, i] = sum_j w[b, i, j] v[b, c, j]
///     out = x + proj(o)                            1x1 conv C -> C, zero-initialised
public final class AttentionBlock: Module {
    public let channels: Int
    public let norm: GroupNorm
    public let qkv: Conv2d
    public let proj: Conv2d

    public init(_ channels: Int, groups: Int, initialiser: inout ParameterInitialiser) {
        self.channels = channels
        norm = GroupNorm(groups: groups, channels: channels, initialiser: &initialiser)
        qkv = Conv2d(channels, 3 * channels, kernelSize: 1, initialiser: &initialiser)
        proj = Conv2d(channels, channels, kernelSize: 1, zeroInit: true, initialiser: &initialiser)
    }

    public var namedParameters: [(name: String, variable: Variable)] {
        norm.prefixed("norm") + qkv.prefixed("qkv") + proj.prefixed("proj")
    }

    /// `x` is `[B, C, H, W]`.
    public func callAsFunction(_ x: Variable) -> Variable {
        let (b, c, hgt, wid) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let n = hgt * wid
        let t = reshape(qkv(norm(x)), [b, 3 * c, n])
        let q = slice(t, axis: 1, range: 0..<c)
        let k = slice(t, axis: 1, range: c..<(2 * c))
        let v = slice(t, axis: 1, range: (2 * c)..<(3 * c))
        let w = softmax(bmm(q, k, transposeA: true), scale: 1 / Float(c).squareRoot())   // [B, N_q, N_k]
        let o = bmm(v, w, transposeB: true)                                        // [B, C, N_q]
        return x + proj(reshape(o, [b, c, hgt, wid]))
    }
}
