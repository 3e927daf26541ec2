import Foundation
import Tensor

/// An optimizer over the flat buffers of a `ParameterSet`.
public protocol Optimizer: AnyObject {
    var parameters: ParameterSet { get }
    /// Learning rate used when `step(lr:)` is given none.
    var lr: Float { get set }
    /// Applies one update from the gradients currently in `parameters.grads`.
    func step(lr: Float?)
}

extension Optimizer {
    public func step() { step(lr: nil) }
}

/// Adam's moment estimates and step counter, laid out like the `ParameterSet`
/// (parameter `i` occupies `ranges[i]` of `m` and `v`), for checkpoints.
public struct AdamState {
    /// Number of updates applied so far (PyTorch's `state['step']`).
    public var step: Int
    /// First moment (`exp_avg`).
    public var m: Tensor
    /// Second moment (`exp_avg_sq`).
    public var v: Tensor

    public init(step: Int, m: Tensor, v: Tensor) {
        self.step = step
        self.m = m
        self.v = v
    }
}

/// A state that does not fit the parameters it is restored into.
public struct OptimizerStateError: Error, CustomStringConvertible {
    public let description: String
}

/// The update shared by Adam and AdamW, exactly as PyTorch's single-tensor Adam:
///
///     g = grad (+ weightDecay * p for Adam's L2 form)
///     p *= 1 - lr * weightDecay                       (AdamW, decoupled; Loshchilov & Hutter 2019)
///     m = m + (1 - beta1) (g - m)
///     v = beta2 v + (1 - beta2) g^2
///     p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
///
/// (Kingma & Ba 2015, Algorithm 1 with bias correction.)
struct AdamCore {
    var lr: Float
    var beta1: Float
    var beta2: Float
    var eps: Float
    var weightDecay: Float
    let decoupled: Bool
    var state: AdamState

    init(count: Int, lr: Float, betas: (Float, Float), eps: Float, weightDecay: Float, decoupled: Bool) {
        precondition(lr >= 0 && eps >= 0 && weightDecay >= 0, "Adam: lr \(lr), eps \(eps), weightDecay \(weightDecay) must be >= 0")
        precondition((0..<1).contains(betas.0) && (0..<1).contains(betas.1), "Adam: betas \(betas) must lie in [0, 1)")
        self.lr = lr
        beta1 = betas.0
        beta2 = betas.1
        self.eps = eps
        self.weightDecay = weightDecay
        self.decoupled = decoupled
        state = AdamState(step: 0, m: Tensor(zeros: [count]), v: Tensor(zeros: [count]))
    }

    mutating func step(_ params: ParameterSet, lr lrOverride: Float?) {
        let lr = lrOverride ?? self.lr
        state.step += 1
        let t = Double(state.step)
        let bias1 = 1 - pow(Double(beta1), t)
        let bias2 = 1 - pow(Double(beta2), t)
        let stepSize = Float(Double(lr) / bias1)
        let bias2Sqrt = Float(bias2.squareRoot())
        let b1 = beta1, b2 = beta2, eps = eps
        let l2: Float = decoupled ? 0 : weightDecay
        let shrink: Float = decoupled ? 1 - lr * weightDecay : 1
        let p = params.values.pointer, g = params.grads.pointer
        let m = state.m.pointer, v = state.v.pointer
        Parallel.forChunks(params.count, cost: 8) { r in
            for i in r {
                var gi = g[i]
                if l2 != 0 { gi += l2 * p[i] }
                if shrink != 1 { p[i] *= shrink }
                m[i] += (1 - b1) * (gi - m[i])
                v[i] = b2 * v[i] + (1 - b2) * gi * gi
                let denom = v[i].squareRoot() / bias2Sqrt + eps
                p[i] -= stepSize * m[i] / denom
            }
        }
    }

    mutating func restore(_ s: AdamState, count: Int) throws {
        guard s.m.count == count, s.v.count == count, s.step >= 0 else {
            throw OptimizerStateError(description:
                "Adam state: m has \(s.m.count) and v \(s.v.count) elements with step \(s.step); the parameters have \(count) elements")
        }
        state = AdamState(step: s.step, m: s.m.copy().reshaped([count]), v: s.v.copy().reshaped([count]))
    }
}
