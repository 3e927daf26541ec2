import Distributed
import Foundation
import Sampling
import Tensor

/// The periodic sample grid of a training run, interruptible by stop signals (issue 19).
///
/// Every rank draws its share of the grid with the EMA weights (`TrainingComponents.SampleDrawer`:
/// whole groups of images, each computed as one process computes it, so the grid does not
/// depend on the number of ranks), looking at its pending signals (without taking them) before
/// every sampler step. A rank abandons its share when a signal asks for something the grid
/// would otherwise delay: SIGTERM; SIGUSR1 with `--exit-on-signal`; or SIGUSR1 alone while this
/// step has no checkpoint yet. The ranks then agree, in a nonblocking reduction (asleep between
/// tests, leaving the core to ranks still drawing), whether any abandoned or failed; if none
/// did, rank 0 gathers the shares in rank order and writes the grid with one log line. Then all
/// ranks take their pending signals and agree on them in one reduction (`agreedSignals`), and
/// act together:
/// checkpoint this step unless it already is, and stop (SIGTERM, SIGUSR1 with
/// `--exit-on-signal`) or continue. A grid abandoned for a SIGUSR1 alone is drawn again once
/// the checkpoint is written. A signal that reaches only another rank than 0 (mpirun and Slurm
/// signal every rank) is acted on when the grid is done.
extension Trainer {
    /// What this rank's drawing came to.
    enum GridDrawing {
        /// No grids in this run.
        case notDrawn
        /// Rank 0 wrote the grid (`path`), or another rank's share went into it (`path` nil).
        case written(path: String?)
        /// A signal stopped it (on this rank or another) after `seconds`.
        case abandoned(seconds: Double)
        /// Drawing or writing failed (logged; training goes on).
        case failed
    }

    /// Whether this run draws grids (the same answer on every rank).
    var drawsGrids: Bool {
        folder != nil && components.drawSamples != nil && config.sample.count > 0
    }

    /// The grid of this step on every rank; `checkpointed`: this step's checkpoint is already
    /// written. Returns whether the run stops and whether this step is now checkpointed.
    func sampleGridPhase(checkpointed: Bool, finished: Bool) throws -> (stops: Bool, checkpointed: Bool) {
        guard drawsGrids else { return (false, checkpointed) }
        return try interruptiblePhase(activity: "drawing the sample grid", abandoned: "grid abandoned", again: "drawing the grid again",
                                      checkpointed: checkpointed, finished: finished) { try drawGrid(interruptedBy: $0) }
    }

    /// Sampling work of every rank that a stop signal interrupts (the grid, the sample-quality
    /// evaluation): `work` runs until done or abandoned for a signal, then the signals are agreed
    /// on and acted on as described above; work abandoned for a SIGUSR1 alone runs again after
    /// the checkpoint. `activity`, `abandoned` and `again` name it in the log lines.
    func interruptiblePhase(activity: String, abandoned abandonedText: String, again: String, checkpointed: Bool, finished: Bool,
                            work: (_ interruptedBy: (SignalRequests) -> Bool) throws -> GridDrawing) throws -> (stops: Bool, checkpointed: Bool) {
        var checkpointed = checkpointed
        while true {
            let alreadyCheckpointed = checkpointed
            let drawing = try work { [exitOnSignal] pending in
                pending.terminate || (pending.checkpoint && (exitOnSignal || !alreadyCheckpointed))
            }
            var abandoned = false
            if case .abandoned = drawing { abandoned = true }
            // Signals that reached any rank while the work ran are agreed on.
            let requests = try agreedSignals()
            guard requests.any else { return (false, checkpointed) }

            let stops = requests.stops(exitOnSignal: exitOnSignal)
            let action = checkpointed
                ? (stops ? "stopping (step \(step) is already checkpointed)" : "step \(step) is already checkpointed; continuing")
                : (stops ? "checkpointing and stopping" : abandoned ? "checkpointing, then \(again)" : "checkpointing")
            if case .abandoned(let seconds) = drawing {
                logger.info("step \(step): \(requests.names) received while \(activity); \(abandonedText) after \(String(format: "%.1f", seconds)) s; \(action)")
            } else {
                logger.info("step \(step): \(requests.names) received while \(activity); \(action)")
            }
            if !checkpointed {
                let during = try checkpointOnAllRanks(finished: finished)
                checkpointed = true
                if !stops && stopsAfterCheckpoint(during) { return (true, true) }
            }
            if stops || !abandoned { return (stops, checkpointed) }
        }
    }

    /// Every rank draws its share of the samples with the EMA weights, unless `interrupts` says
    /// yes to its pending signals before one of the sampler steps; unless a rank abandoned or
    /// failed, rank 0 gathers the shares and writes `samples/step-NNNNNNNN.png`. Every rank of
    /// a run with grids must call this (it holds collective operations).
    func drawGrid(interruptedBy interrupts: (SignalRequests) -> Bool) throws -> GridDrawing {
        guard drawsGrids, let folder, let draw = components.drawSamples else { return .notDrawn }
        logger.info("step \(step): drawing the sample grid (\(config.sample.count) samples, \(config.sample.sampler.rawValue), \(config.sample.steps) steps, on \(communicator.size) rank(s))")
        let share: Tensor
        switch try drawShare(draw, count: config.sample.count, what: "the sample grid", interruptedBy: interrupts) {
        case .drawn(let samples): share = samples
        case .stopped(let drawing): return drawing
        }
        let gathered = try communicator.gather(share.scalars, root: 0)
        guard communicator.rank == 0 else { return .written(path: nil) }
        do {
            let values = gathered.flatMap { $0 }
            let sampleShape = Array(share.shape.dropFirst()), per = max(1, sampleShape.reduce(1, *))
            let images = Tensor(shape: [values.count / per] + sampleShape, values: values)
            let path = (folder.samplesPath as NSString).appendingPathComponent(String(format: "step-%08d.png", step))
            try SampleGrid.write(images, columns: components.gridColumns(count: images.shape[0]), to: path)
            logger.info("step \(step): samples \(path)")
            return .written(path: path)
        } catch {
            logger.warning("step \(step): could not write the sample grid: \(error)")
            return .failed
        }
    }

    /// What one rank's share of sampling work came to, agreed over the ranks.
    enum ShareDrawing {
        /// Every rank drew its share; this is this rank's.
        case drawn(Tensor)
        /// Some rank abandoned its share for a signal (`.abandoned`) or failed (`.failed`).
        case stopped(GridDrawing)
    }

    /// This rank's share of `count` samples drawn by `draw` with the EMA weights, unless
    /// `interrupts` says yes to its pending signals before a sampler step; then all ranks agree
    /// (waiting idle for the slowest) whether any abandoned or failed (logged, naming `what`).
    func drawShare(_ draw: @escaping TrainingComponents.SampleDrawer, count: Int, what: String,
                   interruptedBy interrupts: (SignalRequests) -> Bool) throws -> ShareDrawing {
        let start = monotonicSeconds()
        let signals = self.signals
        var local: Tensor? = nil, failed = false
        do {
            local = try ema.withAveragedWeights {
                try draw(components.model, count, (communicator.rank, communicator.size)) {
                    signals.map { interrupts($0.peek()) } ?? false
                }
            }
        } catch {
            logger.warning("step \(step): could not draw \(what): \(error)")
            failed = true
        }
        let seconds = monotonicSeconds() - start
        // Ranks that finish first wait idle for the others.
        let agreed = try communicator.anyRankWaitingIdle([local == nil && !failed, failed])
        if agreed[0] { return .stopped(.abandoned(seconds: seconds)) }
        if agreed[1] { return .stopped(.failed) }
        return .drawn(local!)
    }
}
