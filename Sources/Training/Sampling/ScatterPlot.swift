import Tensor

/// 2-D points drawn as an image: [N, 2] points in [-extent, extent]^2 become a
/// [1, 1, size, size] image in [-1, 1] (points white on black, y upwards).
public enum ScatterPlot {
    public static func image(_ points: Tensor, size: Int = 256, extent: Double = 4) -> Tensor {
        precondition(points.rank == 2 && points.shape[1] == 2, "ScatterPlot: expected points [N, 2], got \(points.shape)")
        let image = Tensor(shape: [1, 1, size, size], repeating: -1)
        let p = points.pointer, out = image.pointer
        for i in 0..<points.shape[0] {
            let x = Double(p[2 * i]), y = Double(p[2 * i + 1])
            guard x.isFinite, y.isFinite else { continue }
            let col = Int(((x + extent) / (2 * extent) * Double(size)).rounded(.down))
            let row = Int(((extent - y) / (2 * extent) * Double(size)).rounded(.down))
            if (0..<size).contains(col) && (0..<size).contains(row) { out[row * size + col] = 1 }
        }
        return image
    }
}
