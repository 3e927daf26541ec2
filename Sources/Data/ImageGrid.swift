import Foundation
import Tensor

/// Tiles a batch of images into one picture, e.g. for sample previews.
public enum ImageGrid {
    /// Each image is drawn at least this many pixels wide.
    public static let minimumImageWidth = 64

    /// Converts images [N, C, H, W] (C = 1 or 3) with values in [-1, 1] into one grid image:
    /// `columns` images per row, `padding` black pixels between and around them. A pixel
    /// value x maps to round((x + 1) * 127.5) clamped to [0, 255]; NaN becomes 0. Images
    /// narrower than `minimumWidth` are upscaled by nearest neighbour by the whole factor
    /// s = ceil(minimumWidth / W), so a grid of 16x16 images shows each at 64x64.
    public static func image(of images: Tensor, columns: Int, padding: Int = 1,
                             minimumWidth: Int = minimumImageWidth) -> PNGImage {
        precondition(images.rank == 4, "ImageGrid: expected images [N, C, H, W], got shape \(images.shape)")
        let (n, c, h0, w0) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
        precondition(c == 1 || c == 3, "ImageGrid: expected 1 or 3 channels, got shape \(images.shape)")
        precondition(columns > 0 && padding >= 0, "ImageGrid: columns \(columns) and padding \(padding)")
        let scale = w0 > 0 ? max(1, (minimumWidth + w0 - 1) / w0) : 1
        let (h, w) = (h0 * scale, w0 * scale)
        let cols = max(1, min(columns, n))
        let rows = max(1, (n + cols - 1) / cols)
        let width = cols * (w + padding) + padding
        let height = rows * (h + padding) + padding
        var pixels = [UInt8](repeating: 0, count: width * height * c)
        let x = images.pointer
        for k in 0..<n {
            let top = padding + (k / cols) * (h + padding)
            let left = padding + (k % cols) * (w + padding)
            for ch in 0..<c {
                for i in 0..<h {
                    for j in 0..<w {
                        let value = x[((k * c + ch) * h0 + i / scale) * w0 + j / scale]
                        let scaled = ((value + 1) * 127.5).rounded()
                        let byte: UInt8 = scaled.isNaN ? 0 : UInt8(min(255, max(0, scaled)))
                        pixels[((top + i) * width + left + j) * c + ch] = byte
                    }
                }
            }
        }
        return PNGImage(width: width, height: height, channels: c, pixels: pixels)
    }

    /// Writes images [N, C, H, W] in [-1, 1] as a PNG grid (see `image(of:columns:padding:minimumWidth:)`).
    public static func writePNG(images: Tensor, columns: Int, path: String, padding: Int = 1,
                                minimumWidth: Int = minimumImageWidth) throws {
        try image(of: images, columns: columns, padding: padding, minimumWidth: minimumWidth).write(path: path)
    }
}
