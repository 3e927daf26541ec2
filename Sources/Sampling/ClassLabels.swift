import Config
import Data
import Tensor

/// The class labels a class-conditional run trains with (Ho & Salimans 2022): each sample's
/// label from the dataset, replaced by "no label" (K) with probability `dropout`, so one
/// network learns both the conditional and the unconditional model that classifier-free
/// guidance combines.
///
/// Whether the label of global sample k at step n is dropped is the uniform draw
/// u(seed, purpose .misc, stream `ClassLabels.dropoutStream`, step n, sample k) < dropout: a
/// pure function of (seed, step, k), so a sample's label is the same on any number of ranks
/// and in a resumed run.
public struct ClassLabels {
    /// The counter-RNG stream of the label-dropout draws (purpose .misc; "L").
    public static let dropoutStream: UInt32 = 0x4C

    /// K; the label K means "no label".
    public let numClasses: Int
    public let dropout: Double
    public let rng: CounterRNG

    /// Checks that `dataset` has labels, all in 0..<numClasses; `source` names it in errors.
    public init(numClasses: Int, dropout: Double, rng: CounterRNG, dataset: any Dataset, source: String) throws {
        guard let all = try dataset.labels(Array(0..<dataset.count)) else {
            throw TrainingError("model.unet.num_classes: \(numClasses) asks for a class-conditional model, but \(source) has no labels "
                + "(a dataset file needs /labels: import it with diffuse-data import --labels; or set num_classes: 0)")
        }
        if let bad = all.first(where: { !(0..<Int64(numClasses)).contains($0) }) {
            throw TrainingError("model.unet.num_classes: \(numClasses), but \(source) holds the label \(bad) (labels must lie in 0..<\(numClasses))")
        }
        self.numClasses = numClasses
        self.dropout = dropout
        self.rng = rng
    }

    /// The labels of `dataLabels` (the dataset labels of global samples firstSample, firstSample + 1, ...)
    /// at `step`, each dropped to K with probability `dropout`.
    public func training(_ dataLabels: [Int64], step: UInt32, firstSample: Int) -> [Int] {
        dataLabels.enumerated().map { i, y in
            let u = rng.uniformDouble(purpose: .misc, stream: ClassLabels.dropoutStream, step: step,
                                      sample: UInt32(truncatingIfNeeded: firstSample + i))
            return u < dropout ? numClasses : Int(y)
        }
    }

    /// The labels of a grid with one row per class of `classes` (R rows): `count` samples over
    /// R rows of ceil(count / R) columns (count rounded up to fill the rows); sample i has
    /// class classes[i / columns].
    public static func grid(count: Int, classes: [Int]) -> (labels: [Int], columns: Int) {
        precondition(!classes.isEmpty, "ClassLabels.grid: no classes")
        let rows = classes.count, columns = max(1, (count + rows - 1) / rows)
        return ((0..<(rows * columns)).map { classes[$0 / columns] }, columns)
    }

    /// One row per class 0..<numClasses.
    public static func grid(count: Int, numClasses: Int) -> (labels: [Int], columns: Int) {
        grid(count: count, classes: Array(0..<numClasses))
    }
}
