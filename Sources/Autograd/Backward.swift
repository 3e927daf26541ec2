import Tensor

/// Callbacks during `backward()`, used by data-parallel training to start the allreduce of a
/// gradient bucket as soon as its gradients are final, and to make MPI progress between layers.
public struct BackwardHooks {
    /// Called once per leaf that requires grad, when no further contribution to its gradient
    /// can arrive in this backward pass.
    public var leafReady: ((Variable) -> Void)?
    /// Called after each node's backward function runs.
    public var afterNode: (() -> Void)?
    public init(leafReady: ((Variable) -> Void)? = nil, afterNode: (() -> Void)? = nil) {
        self.leafReady = leafReady
        self.afterNode = afterNode
    }
}

extension Variable {
    /// Reverse-mode differentiation from this variable.
    ///
    /// With no `seed` the variable must hold one element and its gradient is 1. Interior
    /// gradients are freed as soon as they have been propagated, and every node of the graph
    /// drops its inputs and closure, so no graph is retained afterwards.
    public func backward(seed: Tensor? = nil, hooks: BackwardHooks = BackwardHooks()) {
        if seed == nil {
            precondition(value.count == 1, "backward: output of shape \(shape) is not a scalar; pass a seed gradient")
        }
        guard requiresGrad else { return }
        let seedGrad = seed ?? Tensor(shape: shape, repeating: 1)
        Tensor.checkSameShape(seedGrad, value, "backward seed")

        // Topological order (iterative DFS) and, per variable, how many graph edges feed into it.
        var order: [Variable] = []
        var pending: [ObjectIdentifier: Int] = [:]
        var visited: Set<ObjectIdentifier> = []
        var stack: [(Variable, Bool)] = [(self, false)]
        while let (v, expanded) = stack.popLast() {
            let id = ObjectIdentifier(v)
            if expanded { order.append(v); continue }
            if visited.contains(id) { continue }
            visited.insert(id)
            stack.append((v, true))
            if let node = v.creator {
                for input in node.inputs where input.requiresGrad {
                    pending[ObjectIdentifier(input), default: 0] += 1
                    if !visited.contains(ObjectIdentifier(input)) { stack.append((input, false)) }
                }
            }
        }

        if isLeaf {
            Variable.accumulate(seedGrad, into: self)
            hooks.leafReady?(self)
            return
        }
        // A gradient handed over by a backward function may be aliased (an add passes its
        // output gradient to both inputs), so it is copied before the first in-place update.
        var grads: [ObjectIdentifier: (tensor: Tensor, owned: Bool)] = [ObjectIdentifier(self): (seedGrad, false)]
        for v in order.reversed() {
            guard let node = v.creator else { continue }
            let id = ObjectIdentifier(v)
            let g = grads.removeValue(forKey: id)?.tensor
            let inputs = node.inputs
            if let g, let fn = node.backward {
                let inputGrads = fn(g)
                precondition(inputGrads.count == inputs.count, "backward of \(node.op): \(inputGrads.count) gradients for \(inputs.count) inputs")
                for (input, ig) in zip(inputs, inputGrads) where input.requiresGrad {
                    let iid = ObjectIdentifier(input)
                    if let ig {
                        Tensor.checkSameShape(ig, input.value, "backward of \(node.op)")
                        if input.isLeaf {
                            Variable.accumulate(ig, into: input)
                        } else if let existing = grads[iid] {
                            if existing.owned {
                                existing.tensor.addInPlace(ig)
                            } else {
                                let sum = existing.tensor.copy()
                                sum.addInPlace(ig)
                                grads[iid] = (sum, true)
                            }
                        } else {
                            grads[iid] = (ig, false)
                        }
                    }
                }
            }
            for input in inputs where input.requiresGrad {
                let iid = ObjectIdentifier(input)
                let left = pending[iid]! - 1
                pending[iid] = left
                if left == 0 && input.isLeaf { hooks.leafReady?(input) }
            }
            node.inputs = []
            node.backward = nil
            v.creator = nil
            hooks.afterNode?()
        }
    }

    /// Adds into a leaf's gradient; the first contribution is copied, since it may be aliased.
    static func accumulate(_ g: Tensor, into leaf: Variable) {
        if let existing = leaf.grad {
            existing.addInPlace(g)
        } else {
            leaf.grad = g.copy()
        }
    }
}
