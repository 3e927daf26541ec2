import Autograd
import Tensor

/// A learned embedding of class labels with one extra row for "no label" (PyTorch
/// `nn.Embedding(K + 1, dim)`, state_dict name `weight` `[K + 1, dim]`), as classifier-free
/// guidance needs (Ho & Salimans 2022, "Classifier-Free Diffusion Guidance"): one network is
/// trained both conditionally and, with the label dropped, unconditionally.
///
///     e(y) = weight[y]   for y in 0..<K (a class) or y = K (no label)
///
/// Initialised standard normal, PyTorch's default for `nn.Embedding`. The gradient of
/// `weight` row r is the sum of the output gradients of the samples whose label is r.
public final class LabelEmbedding: Module {
    /// K, the number of classes; row K is "no label".
    public let numClasses: Int
    public let dim: Int
    public let weight: Variable

    public init(numClasses: Int, dim: Int, initialiser: inout ParameterInitialiser) {
        precondition(numClasses > 0 && dim > 0, "LabelEmbedding: \(numClasses) classes of dimension \(dim) must be positive")
        self.numClasses = numClasses
        self.dim = dim
        weight = initialiser.normal([numClasses + 1, dim])
    }

    /// The row index meaning "no label".
    public var noLabel: Int { numClasses }

    public var namedParameters: [(name: String, variable: Variable)] { [("weight", weight)] }

    /// `labels` holds one label per sample, each in `0...numClasses` (nil: "no label" for all
    /// `batch` samples); returns `[batch, dim]`.
    public func callAsFunction(_ labels: [Int]?, batch: Int) -> Variable {
        let rows = labels ?? Array(repeating: noLabel, count: batch)
        precondition(rows.count == batch, "LabelEmbedding: \(rows.count) labels for a batch of \(batch)")
        for y in rows where !(0...numClasses).contains(y) {
            preconditionFailure("LabelEmbedding: label \(y) outside 0...\(numClasses) (\(numClasses) classes, \(numClasses) = no label)")
        }
        let dim = dim, w = weight.value
        let out = Tensor(uninitialized: [batch, dim])
        for (b, y) in rows.enumerated() {
            (out.pointer + b * dim).update(from: w.pointer + y * dim, count: dim)
        }
        return Variable(out, op: "labelEmbedding", inputs: [weight]) { g in
            let gw = Tensor(zeros: w.shape)
            for (b, y) in rows.enumerated() {
                let src = g.pointer + b * dim, dst = gw.pointer + y * dim
                for i in 0..<dim { dst[i] += src[i] }
            }
            return [gw]
        }
    }
}
