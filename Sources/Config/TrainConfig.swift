import Diffusion
import Foundation
import Tensor

/// The whole training configuration, one struct per YAML section (issue 6).
///
/// YAML keys are snake_case (`global_batch`, `channels_per_depth`); every field has a
/// default, so a config file only states what differs. `ConfigLoader` merges a file and
/// `--set key.path=value` overrides over `TrainConfig()`, rejects unknown keys and wrong
/// types, and `validate(worldSize:)` rejects impossible values, all in one message.
public struct TrainConfig: Codable, Equatable, Sendable {
    /// Run name; the run folder defaults to `runs/<name>`.
    public var name: String = "run"
    public var data = DataConfig()
    public var model = ModelConfig()
    public var diffusion = DiffusionConfig()
    public var optim = OptimConfig()
    public var ema = EMAConfig()
    public var train = TrainLoopConfig()
    public var distributed = DistributedConfig()
    public var sample = SampleConfig()
    public var eval = EvalConfig()

    public init() {}
}

/// `data:` where the images (or vectors) come from.
public struct DataConfig: Codable, Equatable, Sendable {
    /// A built-in dataset (`shapes16`, `shapes28`, `shapes16-rgb`, `shapes28-rgb`, `two-moons`,
    /// `eight-gaussians`, `swiss-roll`, `checkerboard`) or the path of an HDF5 dataset file.
    public var source: String = "shapes16"
    /// Image side length in pixels; the dataset's images must have it (checked when loading).
    /// Ignored by vector datasets.
    public var imageSize: Int = 16
    /// Number of samples a built-in dataset generates.
    public var count: Int = 8192
    /// Seed of a built-in dataset's samples.
    public var seed: Int = 0
    /// Random horizontal flips, drawn per global sample index.
    public var flip: Bool = false

    public init() {}
    enum CodingKeys: String, CodingKey {
        case source, imageSize = "image_size", count, seed, flip
    }
}

/// `model:` the backbone, `kind: unet` (images) or `kind: mlp` (vectors).
public struct ModelConfig: Codable, Equatable, Sendable {
    public var kind: ModelKind = .unet
    public var unet = UNetSection()
    public var mlp = MLPSection()
    public init() {}
}

/// `model.unet:` the fields of spec/unet.md (input and output channels come from the data).
public struct UNetSection: Codable, Equatable, Sendable {
    public var channelsPerDepth: [Int] = [32, 64]
    public var numBlocks: Int = 1
    public var attentionDepths: [Int] = [1]
    public var posDim: Int = 32
    public var embDim: Int = 128
    public var numGroups: Int = 8
    public var dropout: Double = 0
    /// K > 0: a class-conditional UNet trained on the dataset's `/labels` (each in 0..<K), with
    /// a label embedding of K + 1 rows (row K = no label); 0: unconditional.
    public var numClasses: Int = 0

    public init() {}
    enum CodingKeys: String, CodingKey {
        case channelsPerDepth = "channels_per_depth", numBlocks = "num_blocks", attentionDepths = "attention_depths"
        case posDim = "pos_dim", embDim = "emb_dim", numGroups = "num_groups", dropout, numClasses = "num_classes"
    }
}

/// `model.mlp:` an MLP backbone for vector data.
public struct MLPSection: Codable, Equatable, Sendable {
    public var hiddenWidths: [Int] = [128, 128, 128]
    public var posDim: Int = 32
    public var embDim: Int = 64

    public init() {}
    enum CodingKeys: String, CodingKey {
        case hiddenWidths = "hidden_widths", posDim = "pos_dim", embDim = "emb_dim"
    }
}

/// `diffusion:` schedule, denoiser, loss weighting and training noise levels.
public struct DiffusionConfig: Codable, Equatable, Sendable {
    /// What is trained: `denoiser` (the `denoiser` below over `schedule`), `ddpm` (discrete-time
    /// L_simple of Ho et al. with T = 1000 linear betas; needs `schedule: ddpm`, used for sampling)
    /// or `vdm` (VDM's learned schedule and continuous-time ELBO, loss in bits per dimension).
    public var objective: ObjectiveKind = .denoiser
    /// `vp`, `ve`, `cosine`, `rectified`, `decay`, `elucidated` or `ddpm`.
    public var schedule: ScheduleKind = .vp
    /// Schedule parameters; nil means the schedule's own default (issue 4).
    public var alphaMin: Double? = nil
    public var sigmaMin: Double? = nil
    public var sigmaMax: Double? = nil
    public var rho: Double? = nil
    public var gamma: Double? = nil
    /// `simple`, `karras`, `epsilon` or `velocity`.
    public var denoiser: DenoiserKind = .karras
    /// Clamp of the loss weight (alpha^2 + sigma^2) / sigma^2.
    public var maxWeight: Double = 1e4
    /// Training noise levels: `uniform`, `lognormal` (EDM) or `stratified`.
    public var noiseLevels: NoiseLevelKind = .uniform
    /// EDM log-normal parameters (`noise_levels: lognormal`).
    public var pMean: Double = -1.2
    public var pStd: Double = 1.2

    public init() {}
    enum CodingKeys: String, CodingKey {
        case objective, schedule, alphaMin = "alpha_min", sigmaMin = "sigma_min", sigmaMax = "sigma_max", rho, gamma
        case denoiser, maxWeight = "max_weight", noiseLevels = "noise_levels", pMean = "p_mean", pStd = "p_std"
    }
}

/// `optim:` optimizer, learning-rate schedule and gradient clipping.
public struct OptimConfig: Codable, Equatable, Sendable {
    /// `adam` or `adamw`.
    public var kind: OptimizerKind = .adam
    public var lr: Double = 2e-4
    public var beta1: Double = 0.9
    public var beta2: Double = 0.999
    public var eps: Double = 1e-8
    public var weightDecay: Double = 0
    /// Linear warmup from 0 over this many steps.
    public var warmupSteps: Int = 0
    /// After warmup: `constant` or `cosine` (down to `min_lr` at the last step).
    public var decay: DecayKind = .constant
    public var minLR: Double = 0
    /// Maximum global gradient norm (0: no clipping).
    public var gradClip: Double = 1

    public init() {}
    enum CodingKeys: String, CodingKey {
        case kind, lr, beta1, beta2, eps, weightDecay = "weight_decay", warmupSteps = "warmup_steps"
        case decay, minLR = "min_lr", gradClip = "grad_clip"
    }
}

/// `ema:` exponential moving average of the weights, fixed decay or the warmup form
/// `decay_n = 1 - (1 + n / inv_gamma)^-power` clamped to `[min_decay, decay]`.
public struct EMAConfig: Codable, Equatable, Sendable {
    public var decay: Double = 0.999
    public var warmup: Bool = false
    public var invGamma: Double = 1
    public var power: Double = 0.75
    public var minDecay: Double = 0

    public init() {}
    enum CodingKeys: String, CodingKey {
        case decay, warmup, invGamma = "inv_gamma", power, minDecay = "min_decay"
    }
}

/// `train:` batch, length, seeds, and how often to log, sample and checkpoint.
public struct TrainLoopConfig: Codable, Equatable, Sendable {
    /// Samples per step summed over all ranks (must divide evenly among the ranks).
    public var globalBatch: Int = 32
    public var steps: Int = 2000
    public var seed: Int = 0
    public var logEvery: Int = 50
    /// Sample grid every this many steps (0: only at the end).
    public var sampleEvery: Int = 500
    /// Checkpoint every this many steps (0: only at the end).
    public var checkpointEvery: Int = 500
    /// Checkpoints kept besides the permanent ones (at least 2).
    public var keepLast: Int = 3
    /// Keep every checkpoint whose step is a multiple of this forever (0: none).
    public var keepEvery: Int = 0
    /// Compare a parameter checksum across ranks every this many steps.
    public var checksumEvery: Int = 1000
    /// On a non-finite loss or gradient: `stop` (error naming the step) or `skip` the step.
    public var nanPolicy: NaNPolicy = .stop
    /// Gradient accumulation: each rank runs its share of the global batch as micro-batches of
    /// at most this many samples and allreduces once (nil: the whole share in one pass).
    public var microBatch: Int? = nil
    /// Class-conditional models: the probability that a sample's label is replaced by "no
    /// label" (drawn per step and global sample index), which trains the unconditional model
    /// classifier-free guidance needs.
    public var labelDropout: Double = 0.1
    /// `fp32`, or `bf16`: convolutions and matrix products with bf16 operands and fp32
    /// accumulation (torch.autocast's split; see `Tensor.Precision`), on CPUs with AVX512_BF16
    /// or AMX-BF16, else fp32 with a notice. Checkpoints stay fp32.
    public var precision: Precision = .fp32
    /// Stop after the first step that ends this many minutes (wall clock) after training
    /// started in this process, with a checkpoint, as SIGTERM would (nil: no limit). For a
    /// fixed compute budget, or a batch slot shorter than the run: resume continues it.
    public var timeLimitMinutes: Double? = nil

    public init() {}
    enum CodingKeys: String, CodingKey {
        case globalBatch = "global_batch", steps, seed, logEvery = "log_every", sampleEvery = "sample_every"
        case checkpointEvery = "checkpoint_every", keepLast = "keep_last", keepEvery = "keep_every"
        case checksumEvery = "checksum_every", nanPolicy = "nan_policy"
        case microBatch = "micro_batch", labelDropout = "label_dropout"
        case precision, timeLimitMinutes = "time_limit_minutes"
    }
}

/// `distributed:` how the data-parallel ranks communicate.
public struct DistributedConfig: Codable, Equatable, Sendable {
    /// Gradient bucket sizes in MB (`GradientBucketer`): the first bucket (the last layers'
    /// gradients, small so that communication starts early), then the rest. The first is PyTorch
    /// DDP's 1 MB (Li et al. 2020); the rest are 4 MB rather than DDP's 25, chosen from the
    /// simulated-cluster sweep of docs/scaling.md (smaller buckets exposed less communication
    /// at 2 and 4 nodes, and ScalingModel predicts the same up to 512 ranks for these models).
    public var firstBucketMB: Double = 1
    public var bucketMB: Double = 4

    public init() {}
    enum CodingKeys: String, CodingKey {
        case firstBucketMB = "first_bucket_mb", bucketMB = "bucket_mb"
    }
}

/// `sample:` the periodic sample grids drawn from the EMA weights.
public struct SampleConfig: Codable, Equatable, Sendable {
    public var sampler: SamplerKind = .heun
    public var steps: Int = 32
    public var count: Int = 16
    /// Replace the last step by the denoised mean E[x | x_t1] (k-diffusion / EDM style).
    public var finishWithMean: Bool = false
    /// Time grid: `linear` (uniform in t) or `edm` (Karras et al. 2022, eq. 5, with `rho`).
    public var grid: TimeGridKind = .linear
    public var rho: Double = 7
    /// Class-conditional models: the classifier-free guidance scale w of the grids
    /// (mean = uncond + w (cond - uncond); 1: plain conditional). A conditional run's grid has
    /// one row per class.
    public var guidance: Double = 1

    public init() {}
    enum CodingKeys: String, CodingKey {
        case sampler, steps, count, finishWithMean = "finish_with_mean", grid, rho, guidance
    }
}

/// `eval:` sample quality measured during training (`SampleQualityPhase`): every `every` steps
/// (0: never), `count` samples from the EMA weights are scored against `count` images of
/// `reference` (default: `data.source`) in the features of the classifier file `classifier`
/// (`diffuse-eval train-classifier`): FID, precision, recall and, for a class-conditional
/// model, class agreement, logged under `quality` in metrics.jsonl.
public struct EvalConfig: Codable, Equatable, Sendable {
    /// The fewest samples an evaluation takes (a covariance, k-NN balls): `eval.count` is at least this.
    public static let minimumCount = 8

    public var every: Int = 0
    public var count: Int = 256
    public var classifier: String = ""
    /// A dataset file of reference images; empty: `data.source`.
    public var reference: String = ""
    /// Sampler steps; 0: `sample.steps` (the sampler is `sample.sampler`).
    public var steps: Int = 0
    /// Classifier-free guidance of a class-conditional model; nil: `sample.guidance`.
    public var guidance: Double? = nil

    public init() {}
}
