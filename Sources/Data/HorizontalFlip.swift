import Tensor

/// Mirrors images left-right: x[n, c, i, j] <- x[n, c, i, W - 1 - j] for each n with flips[n].
public enum HorizontalFlip {
    /// Flips, in place, the images [N, C, H, W] whose entry in `flips` is true.
    /// Tensors of other ranks (vector data) are left unchanged.
    public static func apply(to images: Tensor, flips: [Bool]) {
        guard images.rank == 4 else { return }
        precondition(flips.count == images.shape[0], "HorizontalFlip: \(flips.count) flags for shape \(images.shape)")
        let w = images.shape[3]
        let rowsPerImage = images.shape[1] * images.shape[2]
        let p = images.pointer
        for n in 0..<flips.count where flips[n] {
            for row in 0..<rowsPerImage {
                let base = p + (n * rowsPerImage + row) * w
                var a = 0, b = w - 1
                while a < b { swap(&base[a], &base[b]); a += 1; b -= 1 }
            }
        }
    }
}
