import Foundation
import Tensor

/// Preview pictures of a dataset: a grid of its first images, or for 2-D vector data a
/// scatter plot (a `size` x `size` density image of the square [-extent, extent]^2, brighter
/// where more points fall: v = 255 * sqrt(count / max count)).
public enum Preview {
    public static func write(_ dataset: Dataset, count: Int, columns: Int? = nil, path: String) throws {
        let n = min(count, dataset.count)
        guard n > 0 else { throw DataError("preview: the dataset is empty") }
        if dataset.sampleShape.count == 3 {
            let c = dataset.sampleShape[0]
            guard c == 1 || c == 3 else { throw DataError("preview: \(c) channels; a PNG grid needs 1 or 3") }
            let images = try dataset.samples(Array(0..<n))
            let cols = columns ?? Int(Double(n).squareRoot().rounded(.up))
            try ImageGrid.writePNG(images: images, columns: cols, path: path)
        } else if dataset.sampleShape == [2] {
            try scatter(try dataset.samples(Array(0..<n)), size: 256, extent: 4.5).write(path: path)
        } else {
            throw DataError("preview: samples of shape \(dataset.sampleShape) are neither images [C, H, W] nor 2-D points")
        }
    }

    /// Density image of points [N, 2] (x to the right, y up).
    public static func scatter(_ points: Tensor, size: Int, extent: Float) -> PNGImage {
        precondition(points.rank == 2 && points.shape[1] == 2, "Preview.scatter: expected points [N, 2], got \(points.shape)")
        var counts = [Int](repeating: 0, count: size * size)
        let p = points.pointer
        for k in 0..<points.shape[0] {
            let j = Int(((p[2 * k] + extent) / (2 * extent) * Float(size)).rounded(.down))
            let i = Int(((extent - p[2 * k + 1]) / (2 * extent) * Float(size)).rounded(.down))
            if (0..<size).contains(i) && (0..<size).contains(j) { counts[i * size + j] += 1 }
        }
        let top = Double(max(1, counts.max() ?? 1))
        return PNGImage(width: size, height: size, channels: 1,
                        pixels: counts.map { UInt8((255 * (Double($0) / top).squareRoot()).rounded()) })
    }
}
