import Tensor

/// Everything a checkpoint holds (DESIGN.md, "Files"): metadata, the model and EMA weights,
/// the optimizer state, the RNG and the data cursor.
public struct CheckpointState {
    /// Optimizer steps completed.
    public var step: Int
    /// Training samples consumed, summed over ranks.
    public var samplesSeen: Int
    /// Ranks of the run that wrote it.
    public var worldSize: Int
    /// The full resolved YAML configuration.
    public var config: String
    /// Version of the software that wrote it.
    public var softwareVersion: String
    /// ISO 8601 time of writing (filled by the writer when empty).
    public var created: String
    /// `/model`: the trained weights.
    public var model: FlatTensors
    /// `/ema`: the exponential moving average of the weights.
    public var ema: FlatTensors?
    /// `/optimizer`: per-parameter state and hyperparameters.
    public var optimizer: OptimizerCheckpoint?
    /// `/rng`: the counter-based generator's seed (the counter is the step and sample index).
    public var rngSeed: UInt64
    /// `/data`: the data cursor and anything else the batcher needs (integers).
    public var data: [String: Int]
    /// Further numeric facts stored as attributes of `/train` (e.g. skipped steps, global batch).
    public var train: [String: Double]
    /// The UNet's `UNetConfig` as snake_case JSON, written as the string attribute `unet_config`
    /// on the root, `/model` and `/ema` (so `tools/torch_unet.py`'s `UNet.from_h5` can rebuild
    /// the network); nil for other backbones.
    public var unetConfig: String? = nil
    /// The format version of the file it was read from (the writer's for a new state);
    /// below `CheckpointWriter.checksummedFormatVersion` its tensors were not verified.
    public var formatVersion: Int = CheckpointWriter.formatVersion

    public init(step: Int, samplesSeen: Int, worldSize: Int, config: String, softwareVersion: String,
                created: String = "", model: FlatTensors, ema: FlatTensors? = nil,
                optimizer: OptimizerCheckpoint? = nil, rngSeed: UInt64, data: [String: Int] = [:],
                train: [String: Double] = [:]) {
        self.step = step
        self.samplesSeen = samplesSeen
        self.worldSize = worldSize
        self.config = config
        self.softwareVersion = softwareVersion
        self.created = created
        self.model = model
        self.ema = ema
        self.optimizer = optimizer
        self.rngSeed = rngSeed
        self.data = data
        self.train = train
    }
}

/// Optimizer state for a checkpoint: its kind (`adam`, `adamw`), its step counter,
/// scalar hyperparameters, and per-parameter moments laid out like the model
/// (`moments["exp_avg"]`, `moments["exp_avg_sq"]`, PyTorch's names), stored as
/// `/optimizer/<moment>/<parameter name>`.
public struct OptimizerCheckpoint {
    public var kind: String
    public var step: Int
    public var hyperparameters: [String: Double]
    public var moments: [String: FlatTensors]

    public init(kind: String, step: Int, hyperparameters: [String: Double], moments: [String: FlatTensors]) {
        self.kind = kind
        self.step = step
        self.hyperparameters = hyperparameters
        self.moments = moments
    }
}
