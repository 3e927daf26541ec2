import Tensor

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
