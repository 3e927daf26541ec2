import Data
import NN
import Sampling
import Tensor

/// What a run trains, built from the config by `TrainingSetup.components` (or by tests).
public struct TrainingComponents {
    public var model: any Backbone
    public var dataset: any Dataset
    public var objective: any TrainingObjective
    /// Draws the share of rank `share.rank` of `share.size` of a grid of `count` samples from
    /// `model` (called with the EMA weights in place; a class-conditional grid rounds `count`
    /// up to whole rows), asking `shouldStop` between sampler steps; nil when it answered true
    /// (the grid is abandoned). The shares of ranks 0, 1, ... in order make the grid.
    /// nil: no grids.
    public var drawSamples: SampleDrawer?
    /// The labels of a class-conditional run (nil: unconditional).
    public var classLabels: ClassLabels?
    /// The sample-quality measurement of `eval.every` (nil: none).
    public var qualityEvaluator: SampleQualityEvaluator? = nil

    public typealias SampleDrawer = (_ model: any Backbone, _ count: Int, _ share: (rank: Int, size: Int),
                                     _ shouldStop: () -> Bool) throws -> Tensor?

    public init(model: any Backbone, dataset: any Dataset, objective: any TrainingObjective,
                drawSamples: SampleDrawer? = nil, classLabels: ClassLabels? = nil) {
        self.model = model
        self.dataset = dataset
        self.objective = objective
        self.drawSamples = drawSamples
        self.classLabels = classLabels
    }

    /// The columns of a grid of `count` samples: one row per class for a class-conditional
    /// run (`ClassLabels.grid`), else about square.
    public func gridColumns(count: Int) -> Int {
        if let classLabels { return ClassLabels.grid(count: count, numClasses: classLabels.numClasses).columns }
        return max(1, Int(Double(count).squareRoot().rounded(.up)))
    }
}
