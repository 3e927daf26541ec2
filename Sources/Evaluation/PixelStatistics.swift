import Foundation
import Tensor

/// Per-pixel first and second moments of generated images against the dataset's:
///     mean error = 1/P sum_p |mean_gen(p) - mean_data(p)|,   std error = 1/P sum_p |std_gen(p) - std_data(p)|,
/// over the P = C H W pixel positions (population standard deviations, in the model's [-1, 1] units).
public enum PixelStatistics {
    public static func errors(generated: Tensor, data: Tensor) -> (meanError: Double, stdError: Double) {
        precondition(generated.count / max(1, generated.shape[0]) == data.count / max(1, data.shape[0]),
                     "PixelStatistics: samples of \(generated.shape) and \(data.shape) differ in size")
        let (mg, sg) = moments(generated), (md, sd) = moments(data)
        let p = Double(mg.count)
        return (zip(mg, md).reduce(0) { $0 + abs($1.0 - $1.1) } / p, zip(sg, sd).reduce(0) { $0 + abs($1.0 - $1.1) } / p)
    }

    static func moments(_ x: Tensor) -> (mean: [Double], std: [Double]) {
        let n = x.shape[0], p = x.count / max(1, n)
        var mean = [Double](repeating: 0, count: p), square = [Double](repeating: 0, count: p)
        for s in 0..<n {
            for i in 0..<p { let v = Double(x.pointer[s * p + i]); mean[i] += v; square[i] += v * v }
        }
        for i in 0..<p { mean[i] /= Double(n); square[i] = max(0, square[i] / Double(n) - mean[i] * mean[i]).squareRoot() }
        return (mean, square)
    }
}
