import Autograd
import Tensor

/// Inverted dropout (Srivastava et al. 2014): in training each element is zeroed with
/// probability `p` and the rest scaled by `1 / (1 - p)`; the identity in evaluation.
///
/// The mask is drawn with purpose `.dropout` from the context's counter RNG, keyed by this
/// layer's `stream`, the step and the global sample index, so sample k of step n gets the
/// same mask on any rank and after a resume. Give each dropout layer of a model its own stream.
public final class Dropout: Module {
    public let p: Float
    public let stream: UInt32

    public init(p: Float, stream: UInt32) {
        precondition(p >= 0 && p < 1, "Dropout: probability \(p) must lie in [0, 1)")
        self.p = p
        self.stream = stream
    }

    public var namedParameters: [(name: String, variable: Variable)] { [] }

    public func callAsFunction(_ x: Variable, context: ForwardContext) -> Variable {
        guard context.training && p > 0 else { return x }
        return dropout(x, p: p, rng: context.rng, stream: stream, step: context.step, firstSample: context.firstSample)
    }
}
