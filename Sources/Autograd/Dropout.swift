import Tensor

/// Inverted dropout: `y = x * m` with `m = 1/(1-p)` kept, `0` dropped (probability `p`),
/// the mask of sample `firstSample + k` (axis 0) drawn from `rng` with purpose `.dropout`,
/// `stream` (one per dropout layer) and `step` (see `DropoutKernel`). The identity (the same
/// variable) when `p == 0`; evaluation code simply passes `p: 0`.
public func dropout(_ x: Variable, p: Float, rng: CounterRNG, stream: UInt32, step: UInt32, firstSample: Int) -> Variable {
    if p == 0 { return x }
    let m = DropoutKernel.mask(shape: x.shape, p: p, rng: rng, stream: stream, step: step, firstSample: firstSample)
    return Variable(Tensor.multiply(x.value, m), op: "dropout", inputs: [x]) { g in [Tensor.multiply(g, m)] }
}
