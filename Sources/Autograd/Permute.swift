import Tensor

/// Axes reordered (output axis `k` is input axis `perm[k]`, as `torch.permute`); the gradient
/// is permuted back with the inverse permutation.
public func permute(_ x: Variable, _ perm: [Int]) -> Variable {
    let inverse = Tensor.inversePermutation(perm)
    return Variable(x.value.permuted(perm), op: "permute", inputs: [x]) { g in [g.permuted(inverse)] }
}
