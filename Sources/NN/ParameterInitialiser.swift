import Autograd
import Tensor

/// Creates parameters whose initial values are a pure function of the model seed.
///
/// The n-th parameter created draws from `CounterRNG(seed)` with purpose `.initialisation`,
/// stream 0, step 0 and sample `n`, so each parameter has its own stream and the same seed
/// always yields the same model, independent of thread count or rank.
/// Every creation (also constants and zeros) takes the next index, so the index of a
/// parameter is its position in creation order.
public struct ParameterInitialiser {
    public let rng: CounterRNG
    /// Index the next parameter draws from.
    public private(set) var nextIndex: UInt32 = 0

    public init(seed: UInt64) { rng = CounterRNG(seed: seed) }

    /// A trainable leaf with elements uniform in `(-bound, bound)`: `bound * (2u - 1)`.
    public mutating func uniform(_ shape: [Int], bound: Float) -> Variable {
        let t = Tensor(uninitialized: shape)
        let n = t.count, p = t.pointer, rng = rng, sample = nextIndex
        nextIndex += 1
        // Element e is word e % 4 of Philox block e / 4, as `CounterRNG.fillUniform` draws them.
        Parallel.forChunks((n + 3) / 4, cost: 64) { blocks in
            for block in blocks {
                let words = rng.bits(purpose: .initialisation, stream: 0, step: 0, sample: sample, block: UInt32(block))
                for j in 0..<4 where 4 * block + j < n {
                    p[4 * block + j] = bound * (2 * CounterRNG.unitFloat(words[j]) - 1)
                }
            }
        }
        return Variable(t, requiresGrad: true)
    }

    /// A trainable leaf with standard normal elements (PyTorch's `nn.Embedding` default), drawn
    /// with `CounterRNG.fillNormal` from this parameter's stream.
    public mutating func normal(_ shape: [Int]) -> Variable {
        let t = Tensor(uninitialized: shape)
        rng.fillNormal(UnsafeMutableBufferPointer(start: t.pointer, count: t.count), purpose: .initialisation,
                       stream: 0, step: 0, sample: nextIndex)
        nextIndex += 1
        return Variable(t, requiresGrad: true)
    }

    /// A trainable leaf filled with `value` (GroupNorm weight 1 / bias 0, zero-initialised layers).
    public mutating func constant(_ shape: [Int], _ value: Float) -> Variable {
        nextIndex += 1
        return Variable(Tensor(shape: shape, repeating: value), requiresGrad: true)
    }

    /// PyTorch's default bound for Linear and Conv weights and biases, `1 / sqrt(fan_in)`
    /// (kaiming_uniform with a = sqrt(5) gives `sqrt(6 / ((1 + 5) fan_in))`, the same value).
    public static func defaultBound(fanIn: Int) -> Float {
        1 / Float(fanIn).squareRoot()
    }
}
