import Autograd
import Tensor

/// The DDPM U-Net (Ho et al. 2020) conditioned on one scalar per sample, exactly as
/// spec/unet.md: layout, PyTorch parameter names and layouts, and initialisation.
///
///     temb = time_mlp.2(SiLU(time_mlp.0(sinusoidal(c)))) [+ label_embedding.weight[y]]
///     h = input_conv(x); skips = [h]
///     down path: per depth d, num_blocks ResBlocks (each output pushed to skips), then a
///                Downsample (pushed too) except at the last depth
///     mid.block1 (with attention), mid.block2
///     up path: per depth d from the last, num_blocks + 1 ResBlocks on concat([h, skips.pop()]),
///              then an Upsample except at depth 0
///     out = out_conv(SiLU(out_norm(h)))
///
/// Initial values are a pure function of `seed` (see `ParameterInitialiser`); conv2 of every
/// ResBlock, every attn.proj and out_conv start at zero, so a new model outputs exactly 0.
/// Dropout layer k (ResBlocks in forward order) draws its masks from stream k.
///
/// With `config.numClasses` K > 0 the model is class-conditional (Ho & Salimans 2022): the
/// label y of each sample (`context.labels`, y = K or nil meaning "no label") adds the row
/// `label_embedding.weight[y]` (a `LabelEmbedding`, [K + 1, emb_dim]) to `temb`. It is created
/// after every other parameter, so the other initial values do not depend on K; with K = 0 the
/// model, its parameter names and its initial values are those of the unconditional spec.
public final class UNet: Backbone {
    public let config: UNetConfig
    public let embedding: SinusoidalEmbedding
    public let timeMLP0: Linear
    public let timeMLP2: Linear
    public let inputConv: Conv2d
    /// `downBlocks[d][i]` is `down.{d}.blocks.{i}`.
    public let downBlocks: [[ResBlock]]
    /// `downsamples[d]` is `down.{d}.downsample` (nil at the last depth).
    public let downsamples: [Downsample?]
    public let midBlock1: ResBlock
    public let midBlock2: ResBlock
    /// `upBlocks[d][i]` is `up.{d}.blocks.{i}`.
    public let upBlocks: [[ResBlock]]
    /// `upsamples[d]` is `up.{d}.upsample` (nil at depth 0).
    public let upsamples: [Upsample?]
    public let outNorm: GroupNorm
    public let outConv: Conv2d
    /// `label_embedding` when `config.numClasses > 0`.
    public let labelEmbedding: LabelEmbedding?

    /// Builds the model; `config` must be valid (call `config.validate()` on user input first).
    public init(_ config: UNetConfig, seed: UInt64) {
        do { try config.validate() } catch { preconditionFailure("UNet: \(error)") }
        self.config = config
        var initialiser = ParameterInitialiser(seed: seed)
        let ch = config.channelsPerDepth, depths = config.depths, groups = config.numGroups
        embedding = SinusoidalEmbedding(dim: config.posDim)
        timeMLP0 = Linear(config.posDim, config.embDim, initialiser: &initialiser)
        timeMLP2 = Linear(config.embDim, config.embDim, initialiser: &initialiser)
        inputConv = Conv2d(config.inChannels, ch[0], kernelSize: 3, padding: 1, initialiser: &initialiser)

        var plan = config.blockChannels()[...]
        var stream: UInt32 = 0
        func block() -> ResBlock {
            let (cIn, cOut, attention) = plan.removeFirst()
            defer { stream += 1 }
            return ResBlock(cIn, cOut, embDim: config.embDim, groups: groups, dropout: config.dropout,
                            dropoutStream: stream, attention: attention, initialiser: &initialiser)
        }
        var down: [[ResBlock]] = [], downsamples: [Downsample?] = []
        for d in 0..<depths {
            down.append((0..<config.numBlocks).map { _ in block() })
            downsamples.append(d < depths - 1 ? Downsample(ch[d], initialiser: &initialiser) : nil)
        }
        downBlocks = down
        self.downsamples = downsamples
        midBlock1 = block()
        midBlock2 = block()
        var up = [[ResBlock]](repeating: [], count: depths), upsamples = [Upsample?](repeating: nil, count: depths)
        for d in (0..<depths).reversed() {
            up[d] = (0...config.numBlocks).map { _ in block() }
            if d > 0 { upsamples[d] = Upsample(ch[d], initialiser: &initialiser) }
        }
        upBlocks = up
        self.upsamples = upsamples
        outNorm = GroupNorm(groups: groups, channels: ch[0], initialiser: &initialiser)
        outConv = Conv2d(ch[0], config.outChannels, kernelSize: 3, padding: 1, zeroInit: true, initialiser: &initialiser)
        labelEmbedding = config.numClasses > 0
            ? LabelEmbedding(numClasses: config.numClasses, dim: config.embDim, initialiser: &initialiser) : nil
        nameParameters()
    }

    public var namedParameters: [(name: String, variable: Variable)] {
        var p = timeMLP0.prefixed("time_mlp.0") + timeMLP2.prefixed("time_mlp.2") + inputConv.prefixed("input_conv")
        for d in 0..<config.depths {
            for (i, b) in downBlocks[d].enumerated() { p += b.prefixed("down.\(d).blocks.\(i)") }
            if let s = downsamples[d] { p += s.prefixed("down.\(d).downsample") }
        }
        p += midBlock1.prefixed("mid.block1") + midBlock2.prefixed("mid.block2")
        for d in 0..<config.depths {
            for (i, b) in upBlocks[d].enumerated() { p += b.prefixed("up.\(d).blocks.\(i)") }
            if let s = upsamples[d] { p += s.prefixed("up.\(d).upsample") }
        }
        p += outNorm.prefixed("out_norm") + outConv.prefixed("out_conv")
        return p + (labelEmbedding?.prefixed("label_embedding") ?? [])
    }

    /// `x` is `[B, C_in, H, W]` with H and W multiples of `config.sizeMultiple`; `c` is `[B]` or
    /// `[]`; `context.labels` the class of each sample (class-conditional models). Returns
    /// `[B, C_out, H, W]`.
    public func forward(_ x: Variable, _ c: Variable, context: ForwardContext) -> Variable {
        precondition(x.shape.count == 4 && x.shape[1] == config.inChannels,
                     "UNet.forward: input of shape \(x.shape); expected [B, \(config.inChannels), H, W]")
        do { try config.validate(imageSize: (x.shape[2], x.shape[3])) } catch { preconditionFailure("UNet.forward: \(error)") }
        var temb = timeMLP2(silu(timeMLP0(embedding(c, batch: x.shape[0]))))
        if let labelEmbedding { temb = temb + labelEmbedding(context.labels, batch: x.shape[0]) }
        let tembSiLU = silu(temb)

        var h = inputConv(x)
        var skips = [h]
        for d in 0..<config.depths {
            for b in downBlocks[d] {
                h = b(h, tembSiLU: tembSiLU, context: context)
                skips.append(h)
            }
            if let s = downsamples[d] {
                h = s(h)
                skips.append(h)
            }
        }
        h = midBlock1(h, tembSiLU: tembSiLU, context: context)
        h = midBlock2(h, tembSiLU: tembSiLU, context: context)
        for d in (0..<config.depths).reversed() {
            for b in upBlocks[d] {
                h = b(concat([h, skips.removeLast()], axis: 1), tembSiLU: tembSiLU, context: context)
            }
            if let s = upsamples[d] { h = s(h) }
        }
        return outConv(outNorm(h, silu: true))
    }
}
