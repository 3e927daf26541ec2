import Tensor

/// Group normalisation (Wu & He 2018) of `x` `[B, C, H, W]` (or `[B, C]`) with `groups`
/// groups of consecutive channels, biased variance and per-channel affine `weight`, `bias`
/// (`[C]`): `y = weight[c] * (x - mu_bg) / sqrt(var_bg + eps) + bias[c]`.
/// Forward and backward are single fused kernels (`GroupNormKernel`).
public func groupNorm(_ x: Variable, weight: Variable, bias: Variable, groups: Int, eps: Float = 1e-5) -> Variable {
    groupNormOp(x, weight: weight, bias: bias, groups: groups, eps: eps, silu: false)
}

/// `SiLU(groupNorm(x, ...))` in one kernel each way, as every norm of the DDPM UNet is
/// followed by SiLU; saves the intermediate tensor and a pass over memory.
public func groupNormSiLU(_ x: Variable, weight: Variable, bias: Variable, groups: Int, eps: Float = 1e-5) -> Variable {
    groupNormOp(x, weight: weight, bias: bias, groups: groups, eps: eps, silu: true)
}

func groupNormOp(_ x: Variable, weight: Variable, bias: Variable, groups: Int, eps: Float, silu: Bool) -> Variable {
    let xv = x.value, wv = weight.value, bv = bias.value
    let (y, mu, rstd) = GroupNormKernel.forward(xv, weight: wv, bias: bv, groups: groups, eps: eps, silu: silu)
    let nx = x.requiresGrad, nw = weight.requiresGrad, nb = bias.requiresGrad
    return Variable(y, op: silu ? "groupnorm-silu" : "groupnorm", inputs: [x, weight, bias]) { g in
        let (dx, dw, db) = GroupNormKernel.backward(xv, weight: wv, bias: bv, groups: groups, mean: mu, rstd: rstd,
                                                    silu: silu, gradOutput: g)
        return [nx ? dx : nil, nw ? dw : nil, nb ? db : nil]
    }
}
