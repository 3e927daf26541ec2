import Foundation

/// Learning rate as a function of the optimizer step: linear warmup, then constant or a
/// cosine decay (Loshchilov & Hutter 2017, SGDR without restarts) to a minimum.
///
/// With `step` counted from 0 for the first update and `W = warmupSteps`:
///
///     lr(step) = base * (step + 1) / W                                    for step < W
///     constant: lr(step) = base                                           for step >= W
///     cosine:   p = clamp((step - W) / (totalSteps - W), 0, 1)
///               lr(step) = minLR + (base - minLR) * (1 + cos(pi p)) / 2   for step >= W
public struct LRSchedule: Codable, Equatable, Sendable {
    public enum Decay: Codable, Equatable, Sendable {
        case constant
        /// Cosine from `base` at the end of warmup down to `minLR` at `totalSteps`, then `minLR`.
        case cosine(totalSteps: Int, minLR: Double)
    }

    public var base: Double
    public var warmupSteps: Int
    public var decay: Decay

    public init(base: Double, warmupSteps: Int = 0, decay: Decay = .constant) {
        precondition(base >= 0 && warmupSteps >= 0, "LRSchedule: base \(base) and warmupSteps \(warmupSteps) must be >= 0")
        self.base = base
        self.warmupSteps = warmupSteps
        self.decay = decay
    }

    /// The learning rate for update number `step` (0-based).
    public func lr(at step: Int) -> Double {
        if step < warmupSteps { return base * Double(step + 1) / Double(warmupSteps) }
        switch decay {
        case .constant:
            return base
        case let .cosine(totalSteps, minLR):
            let span = totalSteps - warmupSteps
            let p = span <= 0 ? 1 : min(1, max(0, Double(step - warmupSteps) / Double(span)))
            return minLR + (base - minLR) * 0.5 * (1 + cos(Double.pi * p))
        }
    }

    public func callAsFunction(_ step: Int) -> Double { lr(at: step) }
}
