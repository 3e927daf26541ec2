import Autograd
import Tensor

/// All parameters of a module in one flat value buffer and one flat gradient buffer.
///
/// On creation every parameter's current value is copied into `values` and the variable's
/// `value` becomes a view into it; its `grad` becomes a view into `grads`, so backward
/// accumulates straight into the flat buffer. The optimizer, the EMA and the gradient
/// allreduce then work on contiguous memory without copies. Parameter `i` occupies
/// `ranges[i]` of both buffers, in `namedParameters` order.
public final class ParameterSet {
    /// Dotted PyTorch names, in order.
    public let names: [String]
    /// Shapes (PyTorch layouts), in order.
    public let shapes: [[Int]]
    /// Where each parameter lives in the flat buffers.
    public let ranges: [(offset: Int, count: Int)]
    /// The variables, whose values and gradients are views into `values` and `grads`.
    public let variables: [Variable]
    /// All parameter values, concatenated.
    public let values: Tensor
    /// All gradients, concatenated.
    public let grads: Tensor

    /// Total number of scalars.
    public var count: Int { values.count }

    /// Takes over the parameters of `module` (their values are copied in; the module keeps
    /// working, now reading and writing the flat buffers).
    public convenience init(_ module: Module) {
        self.init(named: module.namedParameters)
    }

    public init(named: [(name: String, variable: Variable)]) {
        var seen = Set<String>()
        for (name, _) in named {
            precondition(seen.insert(name).inserted, "ParameterSet: duplicate parameter name \(name)")
        }
        names = named.map(\.name)
        shapes = named.map { $0.variable.shape }
        variables = named.map(\.variable)
        var offset = 0
        var r: [(offset: Int, count: Int)] = []
        for (_, v) in named {
            r.append((offset, v.value.count))
            offset += v.value.count
        }
        ranges = r
        values = Tensor(zeros: [offset])
        values.storage.versioned = true   // the optimizer bumps its version (BF16WeightCache)
        grads = Tensor(zeros: [offset])
        for (i, v) in variables.enumerated() {
            let valueView = view(values, i)
            valueView.assign(v.value)
            v.value = valueView
            v.grad = view(grads, i)
        }
    }

    /// Parameter `i`'s window of a flat buffer laid out like this set, in its own shape.
    public func view(_ flat: Tensor, _ i: Int) -> Tensor {
        precondition(flat.count == count, "ParameterSet.view: flat buffer of \(flat.count) elements, expected \(count)")
        return Tensor(shape: shapes[i], storage: flat.storage, offset: flat.offset + ranges[i].offset)
    }

    /// Index of the parameter called `name`.
    public func index(of name: String) -> Int? { names.firstIndex(of: name) }

    /// Sets every gradient to zero.
    public func zeroGrad() { grads.fill(0) }

    /// Restores the gradient views (after something replaced a variable's `grad`).
    public func reattachGradients() {
        for (i, v) in variables.enumerated() { v.grad = view(grads, i) }
    }

    /// Euclidean norm of all gradients, accumulated in Float64.
    public func gradNorm() -> Double {
        let p = grads.pointer
        var total = 0.0
        let chunks = max(1, min(Parallel.threads, count / Parallel.minParallelWork))
        var partial = [Double](repeating: 0, count: chunks)
        let per = (count + chunks - 1) / chunks
        partial.withUnsafeMutableBufferPointer { out in
            Parallel.forChunks(chunks, cost: Parallel.minParallelWork) { r in
                for c in r {
                    var acc = 0.0
                    let lo = c * per, hi = min(count, lo + per)
                    if lo < hi { for i in lo..<hi { acc += Double(p[i]) * Double(p[i]) } }
                    out[c] = acc
                }
            }
        }
        for x in partial { total += x }
        return total.squareRoot()
    }

    /// Clips the global gradient norm, as `torch.nn.utils.clip_grad_norm_`:
    /// with `n = ||g||_2`, scales all gradients by `maxNorm / (n + 1e-6)` when that is below 1.
    /// Returns the norm before clipping.
    @discardableResult
    public func clipGradNorm(maxNorm: Double) -> Double {
        let norm = gradNorm()
        let coef = maxNorm / (norm + 1e-6)
        if coef < 1 { grads.scaleInPlace(Float(coef)) }
        return norm
    }
}
