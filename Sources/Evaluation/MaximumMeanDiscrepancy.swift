import Foundation
import Tensor

/// The maximum mean discrepancy (Gretton et al. 2012) between point sets X [N, D] and Y [M, D]
/// with the Gaussian kernel k(a, b) = exp(-|a - b|^2 / (2 h^2)), unbiased estimate
///     MMD^2 = 1/(N(N-1)) sum_{i != j} k(x_i, x_j) + 1/(M(M-1)) sum_{i != j} k(y_i, y_j) - 2/(NM) sum_{i,j} k(x_i, y_j),
/// with the bandwidth h the median pairwise distance of the pooled points unless given.
public enum MaximumMeanDiscrepancy {
    public static func squared(_ x: Tensor, _ y: Tensor, bandwidth: Double? = nil) -> (mmd2: Double, bandwidth: Double) {
        precondition(x.rank == 2 && y.rank == 2 && x.shape[1] == y.shape[1] && x.shape[0] > 1 && y.shape[0] > 1,
                     "MaximumMeanDiscrepancy: point sets of shapes \(x.shape) and \(y.shape) (need at least 2 points each)")
        let h = bandwidth ?? medianDistance(x, y)
        let gamma = 1 / (2 * h * h)
        func k(_ a: Tensor, _ i: Int, _ b: Tensor, _ j: Int) -> Double {
            let d = a.shape[1]
            var s = 0.0
            for e in 0..<d { let diff = Double(a.pointer[i * d + e]) - Double(b.pointer[j * d + e]); s += diff * diff }
            return Foundation.exp(-gamma * s)
        }
        let n = x.shape[0], m = y.shape[0]
        var xx = 0.0, yy = 0.0, xy = 0.0
        for i in 0..<n { for j in 0..<n where i != j { xx += k(x, i, x, j) } }
        for i in 0..<m { for j in 0..<m where i != j { yy += k(y, i, y, j) } }
        for i in 0..<n { for j in 0..<m { xy += k(x, i, y, j) } }
        let mmd2 = xx / Double(n * (n - 1)) + yy / Double(m * (m - 1)) - 2 * xy / Double(n * m)
        return (mmd2, h)
    }

    /// Median of the distances between distinct points of X and Y pooled (at most 1000 points, evenly picked).
    static func medianDistance(_ x: Tensor, _ y: Tensor) -> Double {
        let d = x.shape[1]
        var points: [[Double]] = []
        for t in [x, y] {
            for i in 0..<t.shape[0] { points.append((0..<d).map { Double(t.pointer[i * d + $0]) }) }
        }
        if points.count > 1000 {
            let stride = Double(points.count) / 1000
            points = (0..<1000).map { points[Int(Double($0) * stride)] }
        }
        var distances: [Double] = []
        for i in 0..<points.count {
            for j in (i + 1)..<points.count {
                distances.append(zip(points[i], points[j]).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot())
            }
        }
        distances.sort()
        let median = distances.isEmpty ? 1 : distances[distances.count / 2]
        return median > 0 ? median : 1
    }
}
