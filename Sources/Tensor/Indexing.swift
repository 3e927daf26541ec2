/// Conversions between flat row-major offsets and multi-indices (for reference
/// implementations and messages; the kernels use strides directly).
extension Tensor {
    /// The multi-index of flat offset `i` in a row-major tensor of `shape`.
    public static func multiIndex(_ i: Int, shape: [Int]) -> [Int] {
        var r = i
        var idx = [Int](repeating: 0, count: shape.count)
        for d in stride(from: shape.count - 1, through: 0, by: -1) { idx[d] = r % shape[d]; r /= shape[d] }
        return idx
    }

    /// The flat row-major offset of multi-index `idx` in a tensor of `shape`.
    public static func flatIndex(_ idx: [Int], shape: [Int]) -> Int {
        var o = 0
        for (i, d) in zip(idx, shape) { o = o * d + i }
        return o
    }
}
