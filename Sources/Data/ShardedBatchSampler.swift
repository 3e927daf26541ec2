import HDF5
import Tensor

/// Where a sampler stands: the next batch to produce is batch `batch` of epoch `epoch`.
/// Saved in checkpoints (`save(to:)`, `load(from:)`) so a resumed run continues the sequence.
public struct DataCursor: Codable, Equatable, Sendable {
    public var epoch: Int
    public var batch: Int

    public init(epoch: Int = 0, batch: Int = 0) {
        self.epoch = epoch
        self.batch = batch
    }

    /// Writes int64 attributes `epoch` and `batch` on `group`.
    public func save(to group: H5Object) throws {
        try group.setAttribute("epoch", Int64(epoch))
        try group.setAttribute("batch", Int64(batch))
    }

    /// Reads the attributes written by `save(to:)`.
    public static func load(from group: H5Object) throws -> DataCursor {
        DataCursor(epoch: Int(try group.attribute("epoch", as: Int64.self)),
                   batch: Int(try group.attribute("batch", as: Int64.self)))
    }
}

/// One rank's share of one global batch.
public struct ShardedBatch: Equatable {
    public let epoch: Int
    /// Index of the batch within its epoch.
    public let batch: Int
    /// Global batch number since the start of training: epoch * batchesPerEpoch + batch.
    public let step: Int
    /// Dataset indices of this rank's samples, in order.
    public let indices: [Int]
    /// Global sample number of this rank's first sample: step * globalBatchSize + share start.
    /// Its samples are firstSample, firstSample + 1, ... (the `firstSample` of the noise RNG).
    public let firstSample: Int
    /// Whether each sample is mirrored left-right (all false unless flips are enabled).
    public let flips: [Bool]
}

/// Deterministic sharded batching.
///
/// Epoch e visits the dataset in the order `permutation(count, seed, e)` (a Fisher-Yates
/// shuffle whose draws come from the counter-based RNG, purpose `.permutation`, step e).
/// Global batch k of the epoch is positions k*b ..< (k+1)*b of that order; the incomplete
/// last batch (count mod b samples) is DROPPED, so every batch has exactly b samples and an
/// epoch has floor(count / b) batches. Rank r of W takes the contiguous share `share(r)`:
/// b / W samples, plus one for the first b mod W ranks. Concatenating the ranks' shares in
/// rank order gives exactly the single-process batch. The flip of global sample number s is
/// uniform(purpose .flip, step s >> 32, sample s & 0xffffffff) < 0.5, so it depends neither on
/// the rank count nor on which image it is.
public struct ShardedBatchSampler {
    public let count: Int
    public let globalBatchSize: Int
    public let worldSize: Int
    public let rank: Int
    public let seed: UInt64
    public let horizontalFlip: Bool
    public private(set) var cursor: DataCursor
    private var order: (epoch: Int, permutation: [Int])?

    public init(count: Int, globalBatchSize: Int, worldSize: Int = 1, rank: Int = 0, seed: UInt64,
                horizontalFlip: Bool = false, cursor: DataCursor = DataCursor()) throws {
        guard worldSize >= 1, (0..<worldSize).contains(rank) else {
            throw DataError("batching: rank \(rank) is not in 0..<\(worldSize)")
        }
        guard globalBatchSize >= worldSize else {
            throw DataError("batching: global batch size \(globalBatchSize) is smaller than the \(worldSize) ranks; every rank needs at least one sample")
        }
        guard count >= globalBatchSize else {
            throw DataError("batching: the dataset has \(count) samples, fewer than one global batch of \(globalBatchSize)")
        }
        let batches = count / globalBatchSize
        guard cursor.epoch >= 0, (0..<batches).contains(cursor.batch) else {
            throw DataError("batching: cursor (epoch \(cursor.epoch), batch \(cursor.batch)) is outside an epoch of \(batches) batches")
        }
        self.count = count
        self.globalBatchSize = globalBatchSize
        self.worldSize = worldSize
        self.rank = rank
        self.seed = seed
        self.horizontalFlip = horizontalFlip
        self.cursor = cursor
    }

    /// floor(count / globalBatchSize): the incomplete last batch is dropped.
    public var batchesPerEpoch: Int { count / globalBatchSize }

    /// Positions within a global batch of `batchSize` that rank `rank` of `worldSize` takes.
    public static func share(rank: Int, worldSize: Int, batchSize: Int) -> Range<Int> {
        let base = batchSize / worldSize, extra = batchSize % worldSize
        let start = rank * base + min(rank, extra)
        return start..<(start + base + (rank < extra ? 1 : 0))
    }

    /// This rank's share of every global batch.
    public var share: Range<Int> { Self.share(rank: rank, worldSize: worldSize, batchSize: globalBatchSize) }

    /// The visiting order of epoch `epoch`: Fisher-Yates, for i = n-1 down to 1 swap i with
    /// j = floor(u_i * (i + 1)), u_i = uniform(purpose .permutation, step epoch, sample i).
    public static func permutation(count: Int, seed: UInt64, epoch: Int) -> [Int] {
        let rng = CounterRNG(seed: seed)
        var order = Array(0..<count)
        var i = count - 1
        while i > 0 {
            let u = rng.uniformDouble(purpose: .permutation, step: UInt32(truncatingIfNeeded: epoch),
                                      sample: UInt32(truncatingIfNeeded: i))
            let j = min(i, Int(u * Double(i + 1)))
            order.swapAt(i, j)
            i -= 1
        }
        return order
    }

    /// Whether global sample number `sample` is flipped (for a sampler with flips enabled).
    public static func flip(seed: UInt64, sample: Int) -> Bool {
        CounterRNG(seed: seed).uniformDouble(purpose: .flip, step: UInt32(truncatingIfNeeded: sample >> 32),
                                             sample: UInt32(truncatingIfNeeded: sample)) < 0.5
    }

    /// This rank's share of the batch at the cursor; advances the cursor.
    public mutating func next() -> ShardedBatch {
        let epoch = cursor.epoch, batch = cursor.batch
        if order?.epoch != epoch {
            order = (epoch, Self.permutation(count: count, seed: seed, epoch: epoch))
        }
        let share = self.share
        let start = batch * globalBatchSize
        let indices = Array(order!.permutation[(start + share.lowerBound)..<(start + share.upperBound)])
        let step = epoch * batchesPerEpoch + batch
        let firstSample = step * globalBatchSize + share.lowerBound
        let flips = (0..<indices.count).map { horizontalFlip && Self.flip(seed: seed, sample: firstSample + $0) }
        cursor.batch += 1
        if cursor.batch == batchesPerEpoch {
            cursor = DataCursor(epoch: epoch + 1, batch: 0)
        }
        return ShardedBatch(epoch: epoch, batch: batch, step: step, indices: indices, firstSample: firstSample, flips: flips)
    }
}
