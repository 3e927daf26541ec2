import Foundation
import Tensor

/// Exponential moving average of the weights (Polyak averaging), over the flat value buffer
/// of a `ParameterSet`:
///
///     shadow = shadow + (1 - decay) (params - shadow)      (= decay shadow + (1 - decay) params)
///
/// The decay is fixed (default 0.9999, as DDPM) or follows the warmup form of the
/// `ema-pytorch` / diffusers libraries (Karras et al.'s inverse-gamma ramp):
///
///     decay(n) = clamp(1 - (1 + n / invGamma)^(-power), minDecay, maxDecay)
///
/// where `n` is the number of updates applied before this one (so the first update copies
/// the weights when `minDecay` is 0).
public final class EMA {
    public enum Decay: Codable, Equatable, Sendable {
        case fixed(Double)
        case warmup(invGamma: Double, power: Double, minDecay: Double, maxDecay: Double)

        /// The EMA of DDPM: fixed 0.9999.
        public static let standard = Decay.fixed(0.9999)

        /// The decay used for the update that follows `updates` earlier updates.
        public func value(afterUpdates updates: Int) -> Double {
            switch self {
            case let .fixed(d):
                return d
            case let .warmup(invGamma, power, minDecay, maxDecay):
                let d = 1 - pow(1 + Double(updates) / invGamma, -power)
                return min(maxDecay, max(minDecay, d))
            }
        }
    }

    public let parameters: ParameterSet
    public let decay: Decay
    /// The averaged weights, laid out like `parameters.values`.
    public let shadow: Tensor
    /// Number of updates applied.
    public private(set) var updates: Int = 0

    /// Starts the average at the current weights.
    public init(_ parameters: ParameterSet, decay: Decay = .standard) {
        self.parameters = parameters
        self.decay = decay
        shadow = parameters.values.copy()
    }

    /// Folds the current weights into the average.
    public func update() {
        let d = Float(decay.value(afterUpdates: updates))
        updates += 1
        let s = shadow.pointer, p = parameters.values.pointer
        let w = 1 - d
        Parallel.forChunks(shadow.count, cost: 2) { r in
            for i in r { s[i] += w * (p[i] - s[i]) }
        }
    }

    /// Exchanges the live weights with the averaged ones (call again to swap back).
    public func swap() {
        let s = shadow.pointer, p = parameters.values.pointer
        Parallel.forChunks(shadow.count) { r in
            for i in r { let t = s[i]; s[i] = p[i]; p[i] = t }
        }
    }

    /// Runs `body` with the averaged weights in the model (e.g. to sample), then restores
    /// the live weights.
    public func withAveragedWeights<R>(_ body: () throws -> R) rethrows -> R {
        swap()
        defer { swap() }
        return try body()
    }

    /// Restores the average from a checkpoint.
    public func restore(shadow values: Tensor, updates: Int) throws {
        guard values.count == shadow.count, updates >= 0 else {
            throw OptimizerStateError(description:
                "EMA state: \(values.count) values with \(updates) updates; the parameters have \(shadow.count) elements")
        }
        shadow.assign(values)
        self.updates = updates
    }
}
