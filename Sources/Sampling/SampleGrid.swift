import Config
import Data
import Foundation
import Tensor

/// Writes the periodic sample grid: images [N, C, H, W] in [-1, 1] as a PNG grid, or 2-D
/// points [N, 2] as a scatter plot (a 256 x 256 image of [-4, 4]^2, points white on black).
public enum SampleGrid {
    /// `columns`: images per row of the grid (ignored for points).
    public static func write(_ samples: Tensor, columns: Int, to path: String) throws {
        switch samples.rank {
        case 4:
            try ImageGrid.writePNG(images: samples, columns: max(1, columns), path: path)
        case 2 where samples.shape[1] == 2:
            try ImageGrid.writePNG(images: scatter(samples, size: 256, extent: 4), columns: 1, path: path)
        default:
            throw TrainingError("\(path): cannot draw samples of shape \(samples.shape) (expected [N, C, H, W] images or [N, 2] points)")
        }
    }

    /// Points in [-extent, extent]^2 as a [1, 1, size, size] image in [-1, 1].
    public static func scatter(_ points: Tensor, size: Int, extent: Double) -> Tensor {
        let image = Tensor(shape: [1, 1, size, size], repeating: -1)
        let p = points.pointer, out = image.pointer
        for i in 0..<points.shape[0] {
            let x = Double(p[2 * i]), y = Double(p[2 * i + 1])
            let col = Int(((x + extent) / (2 * extent) * Double(size)).rounded(.down))
            let row = Int(((extent - y) / (2 * extent) * Double(size)).rounded(.down))
            if (0..<size).contains(col) && (0..<size).contains(row) { out[row * size + col] = 1 }
        }
        return image
    }
}
