import Distributed
import Evaluation
import Foundation
import Tensor

/// The sample-quality measurement of `eval.every` during training, interruptible by stop
/// signals exactly as the sample grid is (`interruptiblePhase`, issue 19): every rank draws
/// its share of `eval.count` samples with the EMA weights (`SampleQualityEvaluator.draw`,
/// looking at its pending signals before every sampler step) and computes their classifier
/// features; unless a rank abandoned or failed, rank 0 gathers the features and predicted
/// classes in rank order (which is global sample order) and computes the figures against the
/// reference features (`SampleQuality`), so they are the same on any number of ranks.
extension Trainer {
    /// Whether this step measures sample quality (the same answer on every rank).
    func evaluatesQuality(atStep step: Int) -> Bool {
        components.qualityEvaluator != nil && config.eval.every > 0 && step % config.eval.every == 0
    }

    /// The measurement of this step on every rank; returns whether the run stops, whether this
    /// step is now checkpointed, and the figures (rank 0, unless abandoned or failed).
    func sampleQualityPhase(checkpointed: Bool, finished: Bool) throws -> (stops: Bool, checkpointed: Bool, quality: SampleQualityRecord?) {
        guard let evaluator = components.qualityEvaluator else { return (false, checkpointed, nil) }
        var quality: SampleQualityRecord? = nil
        let outcome = try interruptiblePhase(activity: "measuring sample quality", abandoned: "measurement abandoned", again: "measuring it again",
                                             checkpointed: checkpointed, finished: finished) { interrupts in
            let (drawing, record) = try measureQuality(evaluator, interruptedBy: interrupts)
            quality = record
            return drawing
        }
        return (outcome.stops, outcome.checkpointed, quality)
    }

    /// One measurement on every rank (it holds collective operations).
    func measureQuality(_ evaluator: SampleQualityEvaluator, interruptedBy interrupts: (SignalRequests) -> Bool) throws -> (GridDrawing, SampleQualityRecord?) {
        let start = monotonicSeconds()
        logger.info("step \(step): measuring sample quality (\(evaluator.summary), on \(communicator.size) rank(s))")
        let share: Tensor
        switch try drawShare(evaluator.draw, count: evaluator.count, what: "the samples of the quality measurement", interruptedBy: interrupts) {
        case .drawn(let samples): share = samples
        case .stopped(let drawing): return (drawing, nil)
        }
        let features = share.shape[0] > 0 ? evaluator.classifier.evaluate(share) : (features: [], logits: [])
        let predictions = FeatureClassifier.predictions(features.logits, numClasses: evaluator.classifier.config.numClasses).map { Int32($0) }
        let gatheredFeatures = try communicator.gather(features.features, root: 0)
        let gatheredPredictions = try communicator.gather(predictions, root: 0)
        guard communicator.rank == 0 else { return (.written(path: nil), nil) }
        do {
            let generated = ClassifierFeatureSet(features: gatheredFeatures.flatMap { $0 }, predictions: gatheredPredictions.flatMap { $0 }.map(Int.init),
                                                 dimension: evaluator.classifier.config.featureDimension)
            let figures = try SampleQuality.figures(generated: generated, reference: evaluator.reference,
                                                    requested: evaluator.requestedClasses(), k: evaluator.k)
            let record = SampleQualityRecord(fid: figures.fid, precision: figures.precision, recall: figures.recall,
                                             classAgreement: figures.classAgreement, count: generated.count, seconds: monotonicSeconds() - start)
            let line = "step \(step): sample quality: " + String(format: "FID %.4g, precision %.3f, recall %.3f", record.fid, record.precision, record.recall)
                + (record.classAgreement.map { String(format: ", class agreement %.3f", $0) } ?? "")
                + String(format: " (%d samples, %.1f s)", record.count, record.seconds)
            logger.info("\(line)")
            return (.written(path: nil), record)
        } catch {
            logger.warning("step \(step): could not compute the sample quality: \(error)")
            return (.failed, nil)
        }
    }
}
