/// Nearest-neighbour 2x upsampling of `[B, C, H, W]` to `[B, C, 2H, 2W]`:
/// `y[b, c, i, j] = x[b, c, i / 2, j / 2]`; backward sums each 2x2 block of the output
/// gradient: `dx[b, c, i, j] = sum_{di, dj in {0,1}} dy[b, c, 2i + di, 2j + dj]`.
/// Planes (b, c) run in parallel.
public enum UpsampleKernel {
    public static func nearest2x(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4, "upsampleNearest2x: input of shape \(x.shape) is not [B, C, H, W]")
        let (planes, h, w) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
        let y = Tensor(uninitialized: [x.shape[0], x.shape[1], 2 * h, 2 * w])
        let px = x.pointer, py = y.pointer
        Parallel.forChunks(planes, cost: 4 * h * w) { range in
            for p in range {
                let xs = px + p * h * w, ys = py + p * 4 * h * w
                for i in 0..<h {
                    let row = ys + 2 * i * 2 * w
                    for j in 0..<w { let v = xs[i * w + j]; row[2 * j] = v; row[2 * j + 1] = v }
                    (row + 2 * w).update(from: row, count: 2 * w)
                }
            }
        }
        return y
    }

    public static func nearest2xBackward(_ gradOutput: Tensor) -> Tensor {
        let g = gradOutput
        precondition(g.rank == 4 && g.shape[2] % 2 == 0 && g.shape[3] % 2 == 0,
                     "upsampleNearest2x backward: gradient of shape \(g.shape) is not [B, C, 2H, 2W]")
        let (planes, h, w) = (g.shape[0] * g.shape[1], g.shape[2] / 2, g.shape[3] / 2)
        let dx = Tensor(uninitialized: [g.shape[0], g.shape[1], h, w])
        let pg = g.pointer, pd = dx.pointer
        Parallel.forChunks(planes, cost: 4 * h * w) { range in
            for p in range {
                let gs = pg + p * 4 * h * w, ds = pd + p * h * w
                for i in 0..<h {
                    let r0 = gs + 2 * i * 2 * w, r1 = r0 + 2 * w
                    for j in 0..<w { ds[i * w + j] = (r0[2 * j] + r0[2 * j + 1]) + (r1[2 * j] + r1[2 * j + 1]) }
                }
            }
        }
        return dx
    }
}
