import Distributed
import Foundation

/// The periodic sample grid of a training run, interruptible by stop signals (issue 19).
///
/// Rank 0 draws the grid with the EMA weights, looking at the pending signals (without taking
/// them) before every sampler step. It abandons the grid, with one log line, when a signal asks
/// for something the grid would otherwise delay: SIGTERM; SIGUSR1 with `--exit-on-signal`; or
/// SIGUSR1 alone while this step has no checkpoint yet. Meanwhile the other ranks wait for it
/// in a nonblocking reduction, asleep between tests (they leave their core to rank 0). Then all
/// ranks take their pending signals and agree on them in one reduction (`agreedSignals`), and
/// act together:
/// checkpoint this step unless it already is, and stop (SIGTERM, SIGUSR1 with
/// `--exit-on-signal`) or continue. A grid abandoned for a SIGUSR1 alone is drawn again once
/// the checkpoint is written. A signal that reaches only another rank than 0 (mpirun and Slurm
/// signal every rank) is acted on when the grid is done.
extension Trainer {
    /// What rank 0's drawing came to.
    enum GridDrawing {
        /// Not rank 0, or no grids in this run.
        case notDrawn
        case written(path: String)
        /// A signal stopped it after `seconds`.
        case abandoned(seconds: Double)
        /// Drawing or writing failed (logged; training goes on).
        case failed
    }

    /// Whether this run draws grids (the same answer on every rank).
    var drawsGrids: Bool {
        folder != nil && components.drawSamples != nil && config.sample.count > 0
    }

    /// The grid of this step on every rank; `checkpointed`: this step's checkpoint is already
    /// written. Returns whether the run stops.
    func sampleGridPhase(checkpointed: Bool, finished: Bool) throws -> Bool {
        guard drawsGrids else { return false }
        var checkpointed = checkpointed
        while true {
            let alreadyCheckpointed = checkpointed
            let drawing = drawGrid { [exitOnSignal] pending in
                pending.terminate || (pending.checkpoint && (exitOnSignal || !alreadyCheckpointed))
            }
            var abandoned = false
            if case .abandoned = drawing { abandoned = true }
            // The other ranks wait here (idle) while rank 0 draws; then signals that reached any
            // rank meanwhile are agreed on.
            abandoned = try communicator.anyRankWaitingIdle([abandoned])[0]
            let requests = try agreedSignals()
            guard requests.any else { return false }

            let stops = requests.stops(exitOnSignal: exitOnSignal)
            let action = checkpointed
                ? (stops ? "stopping (step \(step) is already checkpointed)" : "step \(step) is already checkpointed; continuing")
                : (stops ? "checkpointing and stopping" : abandoned ? "checkpointing, then drawing the grid again" : "checkpointing")
            if case .abandoned(let seconds) = drawing {
                logger.info("step \(step): \(requests.names) received while drawing the sample grid; grid abandoned after \(String(format: "%.1f", seconds)) s; \(action)")
            } else {
                logger.info("step \(step): \(requests.names) received while drawing the sample grid; \(action)")
            }
            if !checkpointed {
                let during = try checkpointOnAllRanks(finished: finished)
                checkpointed = true
                if !stops && stopsAfterCheckpoint(during) { return true }
            }
            if stops || !abandoned { return stops }
        }
    }

    /// Rank 0 draws samples with the EMA weights and writes `samples/step-NNNNNNNN.png`,
    /// unless `interrupts` says yes to the pending signals before one of the sampler steps.
    func drawGrid(interruptedBy interrupts: (SignalRequests) -> Bool) -> GridDrawing {
        guard communicator.rank == 0, drawsGrids, let folder, let draw = components.drawSamples else { return .notDrawn }
        let start = monotonicNow()
        let signals = self.signals
        logger.info("step \(step): drawing the sample grid (\(config.sample.count) samples, \(config.sample.sampler), \(config.sample.steps) steps)")
        do {
            let drawn = try ema.withAveragedWeights {
                try draw(components.model, config.sample.count) { signals.map { interrupts($0.peek()) } ?? false }
            }
            guard let images = drawn else { return .abandoned(seconds: monotonicNow() - start) }
            let path = (folder.samplesPath as NSString).appendingPathComponent(String(format: "step-%08d.png", step))
            try SampleGrid.write(images, columns: components.gridColumns(count: images.shape[0]), to: path)
            logger.info("step \(step): samples \(path)")
            return .written(path: path)
        } catch {
            logger.warning("step \(step): could not write the sample grid: \(error)")
            return .failed
        }
    }
}
