import Data
import Diffusion
import Foundation
import Tensor

extension TrainConfig {
    /// Whether `data.source` names a file rather than a built-in dataset.
    public var dataSourceIsFile: Bool {
        let s = data.source
        return s.contains("/") || s.hasSuffix(".h5") || s.hasSuffix(".hdf5")
    }

    /// Every impossible value, each as "key.path: what is wrong and what was expected".
    /// A choice outside its type's values (`ConfigChoice`) is reported by `ConfigLoader` while
    /// reading the YAML, and the default stands in for it here; `rejectedChoices` names those
    /// keys, so that checks which depend on them are not made against the stand-in.
    public func validate(worldSize: Int, rejectedChoices: Set<String> = []) -> [String] {
        var p: [String] = []
        func positive(_ key: String, _ value: Int) {
            if value <= 0 { p.append("\(key): must be > 0, got \(value)") }
        }
        func nonNegative(_ key: String, _ value: Int) {
            if value < 0 { p.append("\(key): must be >= 0, got \(value)") }
        }
        func positive(_ key: String, _ value: Double) {
            if !(value > 0) || !value.isFinite { p.append("\(key): must be a finite number > 0, got \(value)") }
        }
        func nonNegative(_ key: String, _ value: Double) {
            if !(value >= 0) || !value.isFinite { p.append("\(key): must be a finite number >= 0, got \(value)") }
        }
        func unitInterval(_ key: String, _ value: Double) {
            if !(value >= 0 && value < 1) { p.append("\(key): must lie in [0, 1), got \(value)") }
        }

        // data
        // A dataset file is opened (and its absence reported) when the data are loaded.
        if !dataSourceIsFile && !BuiltinDatasets.names.contains(data.source) {
            p.append("data.source: '\(data.source)' is neither a built-in dataset (\(BuiltinDatasets.names.joined(separator: ", "))) nor a path to an .h5 file")
        } else if !dataSourceIsFile && data.count < train.globalBatch {
            p.append("data.count: \(data.count) samples are fewer than one global batch (train.global_batch \(train.globalBatch))")
        }
        positive("data.image_size", data.imageSize)
        if data.seed < 0 { p.append("data.seed: must be >= 0, got \(data.seed)") }

        // model (a rejected kind has no section checks)
        let modelKind = rejectedChoices.contains("model.kind") ? nil : Optional(model.kind)
        if modelKind == .unet {
            let u = model.unet
            if u.channelsPerDepth.isEmpty { p.append("model.unet.channels_per_depth: must list at least one depth") }
            for (i, c) in u.channelsPerDepth.enumerated() where c <= 0 {
                p.append("model.unet.channels_per_depth.\(i): must be > 0, got \(c)")
            }
            positive("model.unet.num_blocks", u.numBlocks)
            positive("model.unet.num_groups", u.numGroups)
            if u.numGroups > 0 {
                for (i, c) in u.channelsPerDepth.enumerated() where c > 0 && c % u.numGroups != 0 {
                    p.append("model.unet.num_groups: \(u.numGroups) groups do not divide channels_per_depth.\(i) = \(c)")
                }
            }
            for (i, d) in u.attentionDepths.enumerated() where d < 0 || d >= u.channelsPerDepth.count {
                p.append("model.unet.attention_depths.\(i): depth \(d) does not exist (depths are 0..<\(u.channelsPerDepth.count))")
            }
            if u.posDim < 4 || u.posDim % 2 != 0 { p.append("model.unet.pos_dim: must be even and >= 4, got \(u.posDim)") }
            positive("model.unet.emb_dim", u.embDim)
            unitInterval("model.unet.dropout", u.dropout)
            nonNegative("model.unet.num_classes", u.numClasses)
            if !u.channelsPerDepth.isEmpty && data.imageSize > 0 {
                let multiple = 1 << (u.channelsPerDepth.count - 1)
                if data.imageSize % multiple != 0 {
                    p.append("data.image_size: \(data.imageSize) is not divisible by \(multiple) = 2^(depths-1) for the \(u.channelsPerDepth.count) depths of model.unet.channels_per_depth")
                }
            }
        } else if modelKind == .mlp {
            let m = model.mlp
            if m.hiddenWidths.isEmpty { p.append("model.mlp.hidden_widths: must list at least one width") }
            for (i, w) in m.hiddenWidths.enumerated() where w <= 0 {
                p.append("model.mlp.hidden_widths.\(i): must be > 0, got \(w)")
            }
            if m.posDim < 4 || m.posDim % 2 != 0 { p.append("model.mlp.pos_dim: must be even and >= 4, got \(m.posDim)") }
            positive("model.mlp.emb_dim", m.embDim)
        }

        // diffusion
        let scheduleKind = rejectedChoices.contains("diffusion.schedule") ? nil : Optional(diffusion.schedule)
        if diffusion.objective == .ddpm && !rejectedChoices.contains("diffusion.objective"), let kind = scheduleKind, kind != .ddpm {
            p.append("diffusion.schedule: '\(kind.rawValue)' with diffusion.objective: ddpm; the discrete DDPM is sampled through schedule: ddpm (set it)")
        }
        for (key, camel, value) in [("alpha_min", "alphaMin", diffusion.alphaMin), ("sigma_min", "sigmaMin", diffusion.sigmaMin),
                                    ("sigma_max", "sigmaMax", diffusion.sigmaMax), ("rho", "rho", diffusion.rho),
                                    ("gamma", "gamma", diffusion.gamma)] {
            guard let value else { continue }
            positive("diffusion.\(key)", value)
            if let kind = scheduleKind, !kind.parameterNames.contains(camel) {
                let takes = kind.parameterNames.map { $0.replacingOccurrences(of: "([a-z])([A-Z])", with: "$1_$2", options: .regularExpression).lowercased() }
                p.append("diffusion.\(key): the \(kind.rawValue) schedule has no such parameter (it takes \(takes.joined(separator: ", ")))")
            }
        }
        if let lo = diffusion.sigmaMin, let hi = diffusion.sigmaMax, lo >= hi {
            p.append("diffusion.sigma_max: must exceed sigma_min (\(lo)), got \(hi)")
        }
        positive("diffusion.max_weight", diffusion.maxWeight)
        positive("diffusion.p_std", diffusion.pStd)

        // optim
        positive("optim.lr", optim.lr)
        unitInterval("optim.beta1", optim.beta1)
        unitInterval("optim.beta2", optim.beta2)
        nonNegative("optim.eps", optim.eps)
        nonNegative("optim.weight_decay", optim.weightDecay)
        nonNegative("optim.warmup_steps", optim.warmupSteps)
        nonNegative("optim.min_lr", optim.minLR)
        nonNegative("optim.grad_clip", optim.gradClip)

        // ema
        unitInterval("ema.decay", ema.decay)
        positive("ema.inv_gamma", ema.invGamma)
        positive("ema.power", ema.power)
        unitInterval("ema.min_decay", ema.minDecay)
        if ema.minDecay > ema.decay { p.append("ema.min_decay: \(ema.minDecay) exceeds ema.decay \(ema.decay)") }

        // train
        positive("train.global_batch", train.globalBatch)
        if train.globalBatch > 0 && worldSize > 0 && train.globalBatch % worldSize != 0 {
            p.append("train.global_batch: \(train.globalBatch) is not divisible by the \(worldSize) ranks")
        }
        positive("train.steps", train.steps)
        if train.seed < 0 { p.append("train.seed: must be >= 0, got \(train.seed)") }
        positive("train.log_every", train.logEvery)
        nonNegative("train.sample_every", train.sampleEvery)
        nonNegative("train.checkpoint_every", train.checkpointEvery)
        if train.keepLast < 2 { p.append("train.keep_last: must be >= 2 (a failed write must leave an older checkpoint), got \(train.keepLast)") }
        nonNegative("train.keep_every", train.keepEvery)
        positive("train.checksum_every", train.checksumEvery)
        if let m = train.microBatch { positive("train.micro_batch", m) }
        if let minutes = train.timeLimitMinutes { positive("train.time_limit_minutes", minutes) }
        unitInterval("train.label_dropout", train.labelDropout)

        // distributed
        positive("distributed.first_bucket_mb", distributed.firstBucketMB)
        positive("distributed.bucket_mb", distributed.bucketMB)

        // sample
        if !(sample.rho > 0) { p.append("sample.rho: must be > 0, got \(sample.rho)") }
        positive("sample.steps", sample.steps)
        nonNegative("sample.count", sample.count)
        if !sample.guidance.isFinite { p.append("sample.guidance: must be a finite number, got \(sample.guidance)") }

        // eval (the classifier file is opened, and its absence reported, when training starts)
        nonNegative("eval.every", eval.every)
        nonNegative("eval.steps", eval.steps)
        if let g = eval.guidance, !g.isFinite { p.append("eval.guidance: must be a finite number, got \(g)") }
        if eval.every > 0 {
            if eval.count < EvalConfig.minimumCount {
                p.append("eval.count: must be at least \(EvalConfig.minimumCount) (k-NN precision/recall and a covariance need several samples), got \(eval.count)")
            }
            if eval.classifier.isEmpty { p.append("eval.classifier: eval.every is \(eval.every) but no classifier file is given (train one with diffuse-eval train-classifier)") }
            if let kind = modelKind, kind != .unet { p.append("eval.every: sample quality is measured on images; model.kind is \(kind.rawValue)") }
        }
        return p
    }
}
