import CKernels

/// Group normalisation (Wu & He, "Group Normalization", ECCV 2018), optionally fused with SiLU.
///
/// For `x` of shape `[B, C, *]` split into `G` groups of `C/G` consecutive channels, each
/// (sample, group) of `n = (C/G) * prod(*)` elements is normalised with its own statistics
/// (biased variance, as PyTorch):
///
///     mu = mean(x),  var = mean(x^2) - mu^2,  rstd = 1 / sqrt(var + eps)
///     xhat = (x - mu) * rstd,   z = weight[c] * xhat + bias[c],   y = z   or   y = SiLU(z)
///
/// The moments are one vectorised pass over the group (contiguous in NCHW) about its first
/// element, accumulated in Float64 blocks (`BlockSums`).
/// Backward, with `dz = dy` (or `dy * SiLU'(z)`, z recomputed) and `dxhat = weight[c] dz`:
///
///     dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
///     dweight[c] = sum_{b, s} dz * xhat,   dbias[c] = sum_{b, s} dz
///
/// Work is split over (sample, group) pairs with `Parallel.forChunks`; per-sample parameter
/// gradient partials are summed afterwards, so no two threads write the same memory.
/// With a `simd` level other than `portable` (by default `CPUFeatures.simd`) each channel row
/// runs that level's rows of `CKernels` (AVX2: 8 lanes, SiLU's reciprocal by `rcp` and a Newton
/// step instead of a division; AVX-512: 16 lanes); otherwise the portable loops below.
public enum GroupNormKernel {
    /// Checks the shapes of a group-norm call, failing with a message naming them.
    static func dimensions(_ x: Tensor, _ weight: Tensor, _ bias: Tensor, groups: Int) -> (b: Int, c: Int, s: Int) {
        precondition(x.rank >= 2, "groupNorm: input of shape \(x.shape) needs at least [B, C]")
        let b = x.shape[0], c = x.shape[1]
        precondition(groups >= 1 && c % groups == 0, "groupNorm: \(c) channels (input \(x.shape)) are not divisible into \(groups) groups")
        precondition(weight.shape == [c] && bias.shape == [c],
                     "groupNorm: weight \(weight.shape) and bias \(bias.shape) must both be [\(c)] for input \(x.shape)")
        return (b, c, x.count / Swift.max(b * c, 1))
    }

    /// Forward pass: the output and the per-(sample, group) `mean` and `rstd` (shape [B, G]).
    public static func forward(_ x: Tensor, weight: Tensor, bias: Tensor, groups: Int, eps: Float,
                               silu: Bool, simd: SIMDLevel = CPUFeatures.simd) -> (y: Tensor, mean: Tensor, rstd: Tensor) {
        let (nb, nc, ns) = dimensions(x, weight, bias, groups: groups)
        let cg = nc / groups, n = cg * ns
        let y = Tensor(uninitialized: x.shape)
        let mean = Tensor(uninitialized: [nb, groups]), rstd = Tensor(uninitialized: [nb, groups])
        let px = x.pointer, py = y.pointer, pw = weight.pointer, pb = bias.pointer
        let pm = mean.pointer, pr = rstd.pointer
        Parallel.forChunks(nb * groups, cost: n * (silu ? 12 : 3)) { range in
            for bg in range {
                let base = bg * n
                let xs = px + base
                // Moments about the group's first element (shifted data: no cancellation).
                let shift = n > 0 ? xs[0] : 0
                let (s1, s2) = BlockSums.shiftedMoments(xs, count: n, shift: shift, simd: simd)
                let m1 = s1 / Double(Swift.max(n, 1))
                let mu = Double(shift) + m1
                let variance = Swift.max(s2 / Double(Swift.max(n, 1)) - m1 * m1, 0)
                let r = 1 / (variance + Double(eps)).squareRoot()
                pm[bg] = Float(mu)
                pr[bg] = Float(r)
                let c0 = (bg % groups) * cg
                for cl in 0..<cg {
                    let c = c0 + cl
                    let scale = Float(r) * pw[c]
                    let shift = pb[c], m = Float(mu)
                    let xi = xs + cl * ns, yi = py + base + cl * ns
                    if let kernels = simd.kernels {
                        kernels.groupnorm_row_forward(xi, yi, ns, m, scale, shift, silu ? 1 : 0)
                        continue
                    }
                    // (x - mu) * scale + bias rather than x * scale + (bias - mu * scale): no
                    // cancellation when the group is nearly constant.
                    if silu {
                        for i in 0..<ns { let z = (xi[i] - m) * scale + shift; yi[i] = z * sigmoidFloat(z) }
                    } else {
                        for i in 0..<ns { yi[i] = (xi[i] - m) * scale + shift }
                    }
                }
            }
        }
        return (y, mean, rstd)
    }

    /// Backward pass: gradients of input, weight and bias from the output gradient `gradOutput`,
    /// the forward input and parameters, and the forward statistics.
    public static func backward(_ x: Tensor, weight: Tensor, bias: Tensor, groups: Int, mean: Tensor, rstd: Tensor,
                                silu: Bool, gradOutput: Tensor,
                                simd: SIMDLevel = CPUFeatures.simd) -> (dx: Tensor, dWeight: Tensor, dBias: Tensor) {
        let (nb, nc, ns) = dimensions(x, weight, bias, groups: groups)
        Tensor.checkSameShape(x, gradOutput, "groupNorm backward")
        let cg = nc / groups, n = cg * ns
        let dx = Tensor(uninitialized: x.shape)
        // Per-sample partial sums of dz * xhat and dz for each channel.
        let partW = Tensor(uninitialized: [nb, nc]), partB = Tensor(uninitialized: [nb, nc])
        let px = x.pointer, pg = gradOutput.pointer, pd = dx.pointer, pw = weight.pointer, pbias = bias.pointer
        let pm = mean.pointer, pr = rstd.pointer, ppw = partW.pointer, ppb = partB.pointer
        Parallel.forChunks(nb * groups, cost: n * (silu ? 16 : 6)) { range in
            // dz of one group when fused with SiLU (dz = dy otherwise); reused across groups.
            let scratch = silu ? UnsafeMutablePointer<Float>.allocate(capacity: n) : nil
            defer { scratch?.deallocate() }
            for bg in range {
                let base = bg * n
                let mu = pm[bg], r = pr[bg]
                let b = bg / groups, c0 = (bg % groups) * cg
                var sumDxhat = 0.0, sumDxhatXhat = 0.0
                for cl in 0..<cg {
                    let c = c0 + cl
                    let xi = px + base + cl * ns, gi = pg + base + cl * ns
                    let dzi = scratch.map { $0 + cl * ns } ?? gi
                    // dz, sum dz and sum dz (x - mu) (then sum dz * xhat = rstd * sum dz (x - mu)).
                    var sdz = 0.0, sdzCentered = 0.0
                    if let kernels = simd.kernels {
                        kernels.groupnorm_row_backward_sums(xi, gi, scratch.map { $0 + cl * ns }, ns, mu, r * pw[c],
                                                            pbias[c], silu ? 1 : 0, &sdz, &sdzCentered)
                    } else {
                        if silu {
                            let w = pw[c], bc = pbias[c], out = dzi
                            for i in 0..<ns {
                                let z = (xi[i] - mu) * r * w + bc
                                let s = sigmoidFloat(z)
                                out[i] = gi[i] * s * (1 + z * (1 - s))
                            }
                        }
                        (sdz, sdzCentered) = BlockSums.sumAndCenteredDot(dzi, xi, count: ns, shift: mu)
                    }
                    let sdzx = sdzCentered * Double(r)
                    ppw[b * nc + c] = Float(sdzx)
                    ppb[b * nc + c] = Float(sdz)
                    sumDxhat += Double(pw[c]) * sdz
                    sumDxhatXhat += Double(pw[c]) * sdzx
                }
                let m1 = Float(sumDxhat / Double(n)), m2 = Float(sumDxhatXhat / Double(n))
                for cl in 0..<cg {
                    let c = c0 + cl
                    let w = pw[c]
                    let xi = px + base + cl * ns, di = pd + base + cl * ns
                    let dzi = scratch.map { $0 + cl * ns } ?? (pg + base + cl * ns)
                    if let kernels = simd.kernels {
                        kernels.groupnorm_row_backward_input(xi, dzi, di, ns, mu, r, w, m1, m2)
                        continue
                    }
                    for i in 0..<ns {
                        let xhat = (xi[i] - mu) * r
                        di[i] = r * (w * dzi[i] - m1 - xhat * m2)
                    }
                }
            }
        }
        let dWeight = partW.sum(axes: [0]), dBias = partB.sum(axes: [0])
        return (dx, dWeight, dBias)
    }
}
