/// The hyper-parameters of the DDPM UNet (spec/unet.md); YAML/JSON keys are snake_case.
public struct UNetConfig: Codable, Equatable, Sendable {
    public var inChannels: Int
    public var outChannels: Int
    public var channelsPerDepth: [Int]
    public var numBlocks: Int
    /// Depths (indices into `channelsPerDepth`) whose ResBlocks end in self-attention.
    public var attentionDepths: [Int]
    public var posDim: Int
    public var embDim: Int
    public var numGroups: Int
    public var dropout: Float
    /// K > 0: class-conditional, with a `LabelEmbedding` of K + 1 rows (row K = no label) added
    /// to the time embedding; 0: unconditional (no `label_embedding` parameter).
    public var numClasses: Int

    enum CodingKeys: String, CodingKey {
        case inChannels = "in_channels", outChannels = "out_channels", channelsPerDepth = "channels_per_depth"
        case numBlocks = "num_blocks", attentionDepths = "attention_depths", posDim = "pos_dim", embDim = "emb_dim"
        case numGroups = "num_groups", dropout, numClasses = "num_classes"
    }

    /// Decodes the JSON of a checkpoint's `unet_config`; `num_classes` is optional (0 when
    /// absent: checkpoints written before class-conditional models).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        inChannels = try c.decode(Int.self, forKey: .inChannels)
        outChannels = try c.decode(Int.self, forKey: .outChannels)
        channelsPerDepth = try c.decode([Int].self, forKey: .channelsPerDepth)
        numBlocks = try c.decode(Int.self, forKey: .numBlocks)
        attentionDepths = try c.decode([Int].self, forKey: .attentionDepths)
        posDim = try c.decode(Int.self, forKey: .posDim)
        embDim = try c.decode(Int.self, forKey: .embDim)
        numGroups = try c.decode(Int.self, forKey: .numGroups)
        dropout = try c.decode(Float.self, forKey: .dropout)
        numClasses = try c.decodeIfPresent(Int.self, forKey: .numClasses) ?? 0
    }

    /// The defaults of the spec: the 35.7M-parameter CIFAR-10 model of Ho et al. for `inChannels` 3.
    public init(inChannels: Int, outChannels: Int? = nil, channelsPerDepth: [Int] = [128, 256, 256, 256],
                numBlocks: Int = 2, attentionDepths: [Int] = [1], posDim: Int = 128, embDim: Int = 512,
                numGroups: Int = 32, dropout: Float = 0.1, numClasses: Int = 0) {
        self.inChannels = inChannels
        self.outChannels = outChannels ?? inChannels
        self.channelsPerDepth = channelsPerDepth
        self.numBlocks = numBlocks
        self.attentionDepths = attentionDepths
        self.posDim = posDim
        self.embDim = embDim
        self.numGroups = numGroups
        self.dropout = dropout
        self.numClasses = numClasses
    }

    /// 1x28x28 digits: [32, 64, 128], 2 blocks, attention at depth 2 (3,939,393 parameters).
    public static let mnist = UNetConfig(inChannels: 1, channelsPerDepth: [32, 64, 128], attentionDepths: [2],
                                         posDim: 32, embDim: 128, numGroups: 8)
    /// 3x32x32: [64, 128, 256], 2 blocks, attention at depth 2 (15,724,931 parameters).
    public static let cifarSmall = UNetConfig(inChannels: 3, channelsPerDepth: [64, 128, 256], attentionDepths: [2],
                                              posDim: 64, embDim: 256, numGroups: 32)

    /// Number of depths `D`.
    public var depths: Int { channelsPerDepth.count }

    /// H and W must be multiples of this: `2^(D-1)`.
    public var sizeMultiple: Int { 1 << max(0, depths - 1) }

    /// Checks the configuration itself: positive sizes, attention depths in range, an even
    /// `posDim` of at least 4, and `numGroups` dividing every channel count that is normalised.
    public func validate() throws {
        var problems: [String] = []
        if inChannels <= 0 || outChannels <= 0 { problems.append("in_channels \(inChannels) and out_channels \(outChannels) must be positive") }
        if channelsPerDepth.isEmpty || channelsPerDepth.contains(where: { $0 <= 0 }) {
            problems.append("channels_per_depth \(channelsPerDepth) must be a non-empty list of positive counts")
        }
        if numBlocks < 1 { problems.append("num_blocks \(numBlocks) must be at least 1") }
        for d in attentionDepths where !(0..<depths).contains(d) {
            problems.append("attention_depths contains \(d), outside 0..<\(depths) (the depths of channels_per_depth \(channelsPerDepth))")
        }
        if posDim < 4 || posDim % 2 != 0 { problems.append("pos_dim \(posDim) must be even and at least 4") }
        if embDim <= 0 { problems.append("emb_dim \(embDim) must be positive") }
        if numClasses < 0 { problems.append("num_classes \(numClasses) must be >= 0 (0: unconditional)") }
        if !(0..<1).contains(dropout) { problems.append("dropout \(dropout) must lie in [0, 1)") }
        if numGroups <= 0 {
            problems.append("num_groups \(numGroups) must be positive")
        } else {
            for c in normalisedChannels where c % numGroups != 0 {
                problems.append("num_groups \(numGroups) does not divide \(c) channels (GroupNorm needs channels divisible by the group count)")
            }
        }
        if !problems.isEmpty { throw ModelConfigError(message: "invalid UNet configuration: " + problems.joined(separator: "; ")) }
    }

    /// Checks the configuration and that `H x W` images fit: both multiples of `2^(D-1)`.
    public func validate(imageSize: (height: Int, width: Int)) throws {
        try validate()
        let m = sizeMultiple
        if imageSize.height <= 0 || imageSize.width <= 0 || imageSize.height % m != 0 || imageSize.width % m != 0 {
            throw ModelConfigError(message:
                "image size \(imageSize.height)x\(imageSize.width) does not fit the UNet: height and width must be positive multiples of \(m) (2^(depths-1) with \(depths) depths in channels_per_depth \(channelsPerDepth))")
        }
    }

    /// Every channel count a GroupNorm sees: block inputs and outputs on both paths.
    var normalisedChannels: [Int] {
        var seen: [Int] = []
        func add(_ c: Int) { if !seen.contains(c) { seen.append(c) } }
        for (cIn, cOut, _) in blockChannels() { add(cIn); add(cOut) }
        return seen
    }

    /// `(cIn, cOut, attention)` of every ResBlock in forward order: down path, mid, up path.
    func blockChannels() -> [(Int, Int, Bool)] {
        let ch = channelsPerDepth, d = ch.count
        guard d > 0 else { return [] }
        var blocks: [(Int, Int, Bool)] = []
        var skips = [ch[0]]
        var prev = ch[0]
        for depth in 0..<d {
            for _ in 0..<numBlocks {
                blocks.append((prev, ch[depth], attentionDepths.contains(depth)))
                prev = ch[depth]
                skips.append(prev)
            }
            if depth < d - 1 { skips.append(prev) }
        }
        blocks.append((prev, prev, true))
        blocks.append((prev, prev, false))
        for depth in (0..<d).reversed() {
            for _ in 0..<(numBlocks + 1) {
                let cIn = prev + skips.removeLast()
                blocks.append((cIn, ch[depth], attentionDepths.contains(depth)))
                prev = ch[depth]
            }
        }
        return blocks
    }
}
