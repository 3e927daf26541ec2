import Tensor

/// A finite, indexable set of training samples.
///
/// Images have `sampleShape` [C, H, W]; vector data (2-D toys) [D]. `samples` returns values
/// in the model's range (images in [-1, 1] by default), however the data are stored.
public protocol Dataset {
    /// Number of samples.
    var count: Int { get }
    /// Shape of one sample.
    var sampleShape: [Int] { get }
    /// Samples `indices` (any order, repeats allowed) as a tensor `[indices.count] + sampleShape`.
    func samples(_ indices: [Int]) throws -> Tensor
    /// Class labels of `indices`, or nil when the dataset has none.
    func labels(_ indices: [Int]) throws -> [Int64]?
}

extension Dataset {
    /// Checks that every index is in 0..<count (a programmer error otherwise).
    func checkIndices(_ indices: [Int], _ name: String) {
        for index in indices where index < 0 || index >= count {
            preconditionFailure("\(name): sample index \(index) out of range 0..<\(count)")
        }
    }

    /// The samples of one rank's share of a batch, with its horizontal flips applied.
    public func samples(for batch: ShardedBatch) throws -> Tensor {
        let x = try samples(batch.indices)
        if batch.flips.contains(true) { HorizontalFlip.apply(to: x, flips: batch.flips) }
        return x
    }
}
