import Foundation
import Tensor

/// Precision and recall of generated samples against real ones by k-nearest-neighbour balls
/// (Kynkaanniemi et al. 2019, "Improved precision and recall metric"), here in pixel space:
/// each real sample r gets the radius to its k-th nearest other real sample; precision is the
/// fraction of generated samples inside at least one real ball, recall the fraction of real
/// samples inside at least one generated ball (radii from the generated set). Squared
/// Euclidean distances come from one GEMM: |a - b|^2 = |a|^2 + |b|^2 - 2 a.b.
public enum NearestNeighbourPrecisionRecall {
    public static func evaluate(real: Tensor, generated: Tensor, k: Int = 3) -> (precision: Double, recall: Double) {
        let r = flat(real), g = flat(generated)
        precondition(r.shape[1] == g.shape[1], "NearestNeighbourPrecisionRecall: samples of \(real.shape) and \(generated.shape) differ in size")
        precondition(r.shape[0] > k && g.shape[0] > k, "NearestNeighbourPrecisionRecall: need more than k = \(k) samples in each set")
        let rr = squaredDistances(r, r), gg = squaredDistances(g, g), gr = squaredDistances(g, r)
        let realRadii = kthNeighbour(rr, k: k), generatedRadii = kthNeighbour(gg, k: k)
        let ng = g.shape[0], nr = r.shape[0]
        let precision = (0..<ng).filter { i in (0..<nr).contains { j in gr[i * nr + j] <= realRadii[j] } }.count
        let recall = (0..<nr).filter { j in (0..<ng).contains { i in gr[i * nr + j] <= generatedRadii[i] } }.count
        return (Double(precision) / Double(ng), Double(recall) / Double(nr))
    }

    static func flat(_ x: Tensor) -> Tensor {
        x.copy().reshaped([x.shape[0], x.count / max(1, x.shape[0])])
    }

    /// |a_i - b_j|^2 as a row-major [N, M] array.
    static func squaredDistances(_ a: Tensor, _ b: Tensor) -> [Float] {
        let n = a.shape[0], m = b.shape[0], d = a.shape[1]
        let dots = Tensor(zeros: [n, m])
        Gemm.sgemm(transB: true, m: n, n: m, k: d, a: a.pointer, lda: d, b: b.pointer, ldb: d, c: dots.pointer, ldc: m)
        let na = (0..<n).map { i in (0..<d).reduce(Float(0)) { $0 + a.pointer[i * d + $1] * a.pointer[i * d + $1] } }
        let nb = (0..<m).map { j in (0..<d).reduce(Float(0)) { $0 + b.pointer[j * d + $1] * b.pointer[j * d + $1] } }
        var out = [Float](repeating: 0, count: n * m)
        for i in 0..<n { for j in 0..<m { out[i * m + j] = max(0, na[i] + nb[j] - 2 * dots.pointer[i * m + j]) } }
        return out
    }

    /// For each row of a square distance matrix, the k-th smallest distance to another point.
    static func kthNeighbour(_ distances: [Float], k: Int) -> [Float] {
        let n = Int(Double(distances.count).squareRoot())
        return (0..<n).map { i in
            var row = (0..<n).filter { $0 != i }.map { distances[i * n + $0] }
            row.sort()
            return row[k - 1]
        }
    }
}
