import Autograd
import Checkpoint
import Config
import Data
import Distributed
import Foundation
import Logging
import NN
import Sampling
import Tensor

/// Data-parallel training (issue 6).
///
/// Every rank builds the model from the same seed (verified by a checksum allreduce), takes
/// its fixed share of each global batch from `ShardedBatchSampler`, and computes the mean loss
/// of its share (in micro-batches with `train.micro_batch`: `GradientAccumulation`) with noise,
/// times and dropout keyed by global sample index. During (the last micro-batch's) backward,
/// `BackwardHooks.leafReady` marks each parameter's gradient ready in a `GradientBucketer`,
/// which launches in-place nonblocking allreduces of full buckets; `afterNode` lets MPI make
/// progress; `finish()` waits and divides by the number of ranks, so every rank holds the
/// gradient of the global-batch mean loss. Then: clip, Adam/AdamW with the LR schedule,
/// EMA. One small allreduce per step carries the loss sums, the per-quartile sums and the
/// signal flags, so all ranks agree on the loss and on the step at which to checkpoint or stop.
/// A step that checkpoints and draws a grid writes the checkpoint first; the grid stops early
/// on a signal (`SampleGridPhase`), so the run acts on it within seconds in every phase.
public final class Trainer {
    public let resolved: ResolvedConfig
    public var config: TrainConfig { resolved.config }
    public let communicator: any Communicator
    public let components: TrainingComponents
    public let parameters: ParameterSet
    public let optimizer: Adam
    public let ema: EMA
    public let lrSchedule: LRSchedule
    public private(set) var batches: ShardedBatchSampler
    let bucketer: GradientBucketer
    let parameterIndex: [ObjectIdentifier: Int]
    let rng: CounterRNG
    let folder: RunFolder?
    let logger: Logger
    let signals: SignalMonitor?
    let exitOnSignal: Bool
    let softwareVersion: String

    /// Optimizer steps done (skipped ones included).
    public private(set) var step = 0
    public private(set) var samplesSeen = 0
    public private(set) var skippedSteps = 0
    /// Called on every rank after each step.
    public var onStep: ((StepReport) -> Void)?
    /// Path of the newest checkpoint written or resumed from.
    public private(set) var lastCheckpoint: String?
    /// When `train.time_limit_minutes` runs out (`monotonicSeconds`; set by `run`).
    var deadline: Double?

    public init(resolved: ResolvedConfig, components: TrainingComponents, communicator: any Communicator,
                folder: RunFolder?, logger: Logger, signals: SignalMonitor? = nil, exitOnSignal: Bool = false,
                softwareVersion: String = DiffuseVersion.string) throws {
        let config = resolved.config
        self.resolved = resolved
        self.components = components
        self.communicator = communicator
        self.folder = folder
        self.logger = logger
        self.signals = signals
        self.exitOnSignal = exitOnSignal
        self.softwareVersion = softwareVersion
        rng = CounterRNG(seed: UInt64(config.train.seed))
        parameters = ParameterSet(components.model)
        var index: [ObjectIdentifier: Int] = [:]
        for (i, v) in parameters.variables.enumerated() { index[ObjectIdentifier(v)] = i }
        parameterIndex = index
        try communicator.verifyParametersAgree(parameters.values, step: 0)

        let o = config.optim
        optimizer = Adam(parameters, lr: Float(o.lr), betas: (Float(o.beta1), Float(o.beta2)), eps: Float(o.eps),
                         weightDecay: Float(o.weightDecay), decoupledWeightDecay: o.kind == .adamw)
        lrSchedule = LRSchedule(base: o.lr, warmupSteps: o.warmupSteps,
                                decay: o.decay == .cosine ? .cosine(totalSteps: config.train.steps, minLR: o.minLR) : .constant)
        let e = config.ema
        ema = EMA(parameters, decay: e.warmup ? .warmup(invGamma: e.invGamma, power: e.power, minDecay: e.minDecay, maxDecay: e.decay)
                                              : .fixed(e.decay))
        do {
            batches = try ShardedBatchSampler(count: components.dataset.count, globalBatchSize: config.train.globalBatch,
                                              worldSize: communicator.size, rank: communicator.rank,
                                              seed: UInt64(config.train.seed), horizontalFlip: config.data.flip)
        } catch {
            throw TrainingError("\(resolved.source): train.global_batch / data.source: \(error)")
        }
        bucketer = GradientBucketer(gradients: parameters.grads, parameterRanges: parameters.ranges, communicator: communicator,
                                    firstBucketBytes: GradientBucketer.bytes(megabytes: config.distributed.firstBucketMB),
                                    bucketBytes: GradientBucketer.bytes(megabytes: config.distributed.bucketMB))
    }

    // MARK: - Checkpoints

    /// The layout `CheckpointReader` loads into.
    public var layout: (names: [String], shapes: [[Int]]) { (parameters.names, parameters.shapes) }

    /// Everything needed to continue exactly from here.
    public func checkpointState() -> CheckpointState {
        let flat = FlatTensors(names: parameters.names, shapes: parameters.shapes, values: parameters.values)
        let s = optimizer.state
        let optimizerState = OptimizerCheckpoint(
            kind: config.optim.kind.rawValue, step: s.step,
            hyperparameters: ["lr": config.optim.lr, "beta1": config.optim.beta1, "beta2": config.optim.beta2,
                              "eps": config.optim.eps, "weight_decay": config.optim.weightDecay],
            moments: ["exp_avg": flat.with(values: s.m), "exp_avg_sq": flat.with(values: s.v)])
        let cursor = batches.cursor
        var state = CheckpointState(step: step, samplesSeen: samplesSeen, worldSize: communicator.size, config: resolved.yaml,
                               softwareVersion: softwareVersion, model: flat, ema: flat.with(values: ema.shadow),
                               optimizer: optimizerState, rngSeed: UInt64(config.train.seed),
                               data: ["epoch": cursor.epoch, "batch": cursor.batch],
                               train: ["skipped_steps": Double(skippedSteps), "ema_updates": Double(ema.updates),
                                       "global_batch": Double(config.train.globalBatch)])
        state.unetConfig = components.unetConfigJSON
        return state
    }

    /// Continues from `state` (read with `layout`). A different global batch is refused unless
    /// `force` (then the data cursor moves to the same position in samples).
    public func restore(from state: CheckpointState, path: String, force: Bool) throws {
        let oldBatch = Int(state.train["global_batch"] ?? Double(config.train.globalBatch))
        if oldBatch != config.train.globalBatch && !force {
            throw TrainingError("\(path): the checkpoint was trained with train.global_batch \(oldBatch), the config asks for \(config.train.globalBatch); "
                + "resuming with another global batch changes the run (pass --force to accept)")
        }
        guard let o = state.optimizer, let m = o.moments["exp_avg"], let v = o.moments["exp_avg_sq"], let shadow = state.ema else {
            throw TrainingError("\(path): the checkpoint has no optimizer state or EMA to resume from (/optimizer/exp_avg, /optimizer/exp_avg_sq, /ema)")
        }
        guard o.kind == config.optim.kind.rawValue else {
            throw TrainingError("\(path): the checkpoint's optimizer is \(o.kind), the config's optim.kind is \(config.optim.kind.rawValue)")
        }
        parameters.values.assign(state.model.values)
        try optimizer.restore(AdamState(step: o.step, m: m.values, v: v.values))
        try ema.restore(shadow: shadow.values, updates: Int(state.train["ema_updates"] ?? Double(state.step)))
        var cursor = DataCursor(epoch: state.data["epoch"] ?? 0, batch: state.data["batch"] ?? 0)
        if oldBatch != config.train.globalBatch {
            cursor.batch = min(cursor.batch * oldBatch / config.train.globalBatch, max(0, batches.batchesPerEpoch - 1))
        }
        do {
            batches = try ShardedBatchSampler(count: components.dataset.count, globalBatchSize: config.train.globalBatch,
                                              worldSize: communicator.size, rank: communicator.rank,
                                              seed: UInt64(config.train.seed), horizontalFlip: config.data.flip, cursor: cursor)
        } catch {
            throw TrainingError("\(path): cannot restore the data cursor: \(error)")
        }
        step = state.step
        samplesSeen = state.samplesSeen
        skippedSteps = Int(state.train["skipped_steps"] ?? 0)
        lastCheckpoint = path
        try communicator.verifyParametersAgree(parameters.values, step: step)
    }

    /// Rank 0 writes a checkpoint and applies retention; a failed write is logged and the
    /// older checkpoints stay. Returns whether the write succeeded (on rank 0; true elsewhere).
    @discardableResult
    func writeCheckpoint() -> Bool {
        guard communicator.rank == 0, let folder else { return true }
        do {
            let path = try CheckpointWriter(directory: folder.checkpointsPath).write(checkpointState())
            lastCheckpoint = path
            let deleted = folder.checkpoints.applyRetention(RetentionPolicy(keepLast: config.train.keepLast, keepEvery: config.train.keepEvery))
            logger.info("step \(step): checkpoint \(path)\(deleted.isEmpty ? "" : " (removed \(deleted.count) older)")")
            return true
        } catch {
            logger.error("step \(step): \(error)")
            return false
        }
    }

    // MARK: - The loop

    /// Trains until `train.steps` or a stop signal.
    public func run() throws -> TrainingOutcome {
        let total = config.train.steps
        let globalBatch = config.train.globalBatch
        var window = MetricsWindow()
        var metrics: MetricsLog? = nil
        if communicator.rank == 0, let folder { metrics = try MetricsLog(path: folder.metricsPath) }
        let startTime = monotonicSeconds()
        deadline = config.train.timeLimitMinutes.map { startTime + 60 * $0 }
        let progress = ProgressLine(enabled: communicator.rank == 0 && ProgressLine.stdoutIsOwnTerminal())
        if step >= total {
            logger.info("step \(step): already at train.steps \(total); nothing to do")
        } else {
            logger.info("training \(parameters.count) parameters on \(communicator.size) rank(s), global batch \(globalBatch), steps \(step + 1)...\(total)")
            if config.train.microBatch != nil { logger.info("\(microBatchPlan)") }
        }
        while step < total {
            let stepStart = monotonicSeconds()
            let exposedBefore = bucketer.statistics.exposedSeconds
            let report = try trainStep(window: &window)
            let exposed = bucketer.statistics.exposedSeconds - exposedBefore
            window.add(seconds: monotonicSeconds() - stepStart, allreduce: exposed)
            onStep?(report.0)
            let (r, flags) = report
            let finished = step == total

            if step % config.train.checksumEvery == 0 {
                try communicator.verifyParametersAgree(parameters.values, step: step)
            }
            // A step that measures sample quality logs too; its metrics line waits for the figures.
            let evaluates = evaluatesQuality(atStep: step)
            var pendingRecord: MetricsRecord? = nil
            if step % config.train.logEvery == 0 || finished || evaluates {
                let record = window.record(step: step, samplesSeen: samplesSeen, gradNorm: r.gradNorm, lr: r.lr,
                                           skipped: skippedSteps, globalBatch: globalBatch,
                                           elapsed: monotonicSeconds() - startTime)
                if evaluates { pendingRecord = record } else if let metrics { try metrics.append(record) }
                progress.clear()
                logger.info("\(formatLine(record, total: total))")
                window = MetricsWindow()
            } else {
                progress.show(step: step, total: total, loss: r.loss)
            }
            // The checkpoint comes first: a grid never stands between finished steps and their checkpoint.
            var stop = flags.stops(exitOnSignal: exitOnSignal)
            if flags.terminate { logger.info("step \(step): SIGTERM received; checkpointing and stopping") }
            if flags.checkpoint { logger.info("step \(step): SIGUSR1 received; checkpointing\(exitOnSignal ? " and stopping" : "")") }
            if flags.timeLimit, let minutes = config.train.timeLimitMinutes {
                logger.info("step \(step): train.time_limit_minutes (\(minutes)) reached; checkpointing and stopping")
            }
            var checkpointed = (config.train.checkpointEvery > 0 && step % config.train.checkpointEvery == 0) || finished || flags.any
            if checkpointed {
                let during = try checkpointOnAllRanks(finished: finished)
                if !stop { stop = stopsAfterCheckpoint(during) }
            }
            if (config.train.sampleEvery > 0 && step % config.train.sampleEvery == 0) || finished {
                if stop {
                    if drawsGrids { logger.info("step \(step): sample grid skipped (stopping on a signal)") }
                } else {
                    (stop, checkpointed) = try sampleGridPhase(checkpointed: checkpointed, finished: finished)
                }
                // The run report (rank 0); the last one is written by `TrainingRun` when the run ends.
                if !stop && !finished && communicator.rank == 0, let folder { RunReportFile.refresh(folder, step: step, logger: logger) }
            }
            if var record = pendingRecord {
                if stop {
                    logger.info("step \(step): sample-quality measurement skipped (stopping on a signal)")
                } else {
                    let phase = try sampleQualityPhase(checkpointed: checkpointed, finished: finished)
                    stop = phase.stops
                    record.quality = phase.quality
                }
                if let metrics { try metrics.append(record) }
            }
            if stop && !finished {
                progress.clear()
                return flags.timeLimit ? .stoppedAtTimeLimit(step: step) : .stoppedBySignal(step: step)
            }
        }
        progress.clear()
        return .finished(step: step)
    }

    /// Rank 0 writes the checkpoint of this step while the others wait (idle); all learn whether
    /// it was written, and agree on the signals that arrived meanwhile (returned: the write is
    /// never abandoned, the caller acts on them). The final checkpoint must be written: its
    /// failure is an error on every rank.
    func checkpointOnAllRanks(finished: Bool) throws -> SignalRequests {
        let ok = writeCheckpoint()
        let failed = try communicator.anyRankWaitingIdle([!ok])[0]
        if finished && failed {
            throw TrainingError("step \(step): the final checkpoint could not be written (see the error above); older checkpoints are kept")
        }
        return try agreedSignals()
    }

    /// Logs the signals that arrived while the checkpoint of this step was written (it meets
    /// their request for a checkpoint) and returns whether they stop the run.
    func stopsAfterCheckpoint(_ during: SignalRequests) -> Bool {
        guard during.any else { return false }
        let stops = during.stops(exitOnSignal: exitOnSignal)
        logger.info("step \(step): \(during.names) received while writing the checkpoint; \(stops ? "stopping" : "continuing") (step \(step) is checkpointed)")
        return stops
    }

    /// The signals pending on any rank, taken on every rank (one reduction).
    func agreedSignals() throws -> SignalRequests {
        let local = signals?.take() ?? .none
        let agreed = try communicator.anyRank([local.checkpoint, local.terminate])
        return SignalRequests(checkpoint: agreed[0], terminate: agreed[1])
    }

    /// One optimizer step on the next global batch.
    func trainStep(window: inout MetricsWindow) throws -> (StepReport, SignalRequests) {
        let globalBatch = config.train.globalBatch
        // Forward and backward share one bf16 copy of each weight (mixed precision only).
        let (perSample, times) = try BF16WeightCache.shared.step { try accumulateGradients(batches.next()) }

        // One allreduce: loss sum and count, per-quartile sums and counts, signal flags.
        var stats = [Double](repeating: 0, count: 13)
        for (l, t) in zip(perSample, times) {
            let q = min(3, max(0, Int(t * 4)))
            stats[0] += Double(l)
            stats[1] += 1
            stats[2 + 2 * q] += Double(l)
            stats[3 + 2 * q] += 1
        }
        let requested = signals?.take() ?? .none
        stats[10] = requested.checkpoint ? 1 : 0
        stats[11] = requested.terminate ? 1 : 0
        stats[12] = deadline.map { monotonicSeconds() >= $0 } ?? false ? 1 : 0
        try communicator.allreduce(&stats, .sum)
        let globalLoss = stats[0] / max(1, stats[1])
        let flags = SignalRequests(checkpoint: stats[10] > 0, terminate: stats[11] > 0, timeLimit: stats[12] > 0)

        let lr = lrSchedule.lr(at: step)
        let norm = config.optim.gradClip > 0 ? parameters.clipGradNorm(maxNorm: config.optim.gradClip) : parameters.gradNorm()
        var skipped = false
        if !globalLoss.isFinite || !norm.isFinite {
            let what = !globalLoss.isFinite ? "loss \(globalLoss)" : "gradient norm \(norm)"
            if config.train.nanPolicy == .skip {
                skipped = true
                skippedSteps += 1
                logger.warning("step \(step + 1): non-finite \(what); step skipped (\(skippedSteps) so far)")
            } else {
                throw TrainingError("step \(step + 1): non-finite \(what); stopping (train.nan_policy: stop). "
                    + "The last good checkpoint is kept\(lastCheckpoint.map { ": \($0)" } ?? " (none written yet)")")
            }
        } else {
            optimizer.step(lr: Float(lr))
            ema.update()
        }
        if !skipped {
            window.add(lossSum: stats[0], count: stats[1], quartiles: (0..<4).map { (stats[2 + 2 * $0], stats[3 + 2 * $0]) })
        }
        step += 1
        samplesSeen += globalBatch
        return (StepReport(step: step, loss: globalLoss, gradNorm: norm, lr: lr, skipped: skipped), flags)
    }

    func formatLine(_ r: MetricsRecord, total: Int) -> String {
        let quartiles = r.lossByTQuartile.map { $0.map { String(format: "%.3f", $0) } ?? "-" }.joined(separator: " ")
        let perStep = r.computeSeconds + r.allreduceSeconds
        let eta = perStep * Double(total - r.step)
        return String(format: "step %d/%d  loss %.4f  [t quartiles %@]  grad %.3f  lr %.2e  %.1f img/s  compute %.3fs allreduce %.3fs  eta %@",
                      r.step, total, r.loss, quartiles, r.gradNorm, r.lr, r.imagesPerSecond, r.computeSeconds, r.allreduceSeconds,
                      formatDuration(eta))
            + (r.skippedSteps > 0 ? "  skipped \(r.skippedSteps)" : "")
    }
}

func formatDuration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "?" }
    let s = Int(seconds.rounded())
    return s >= 3600 ? String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) : String(format: "%dm%02ds", s / 60, s % 60)
}
