/// The im2col lowering of a 2-D convolution (Chellapilla et al., 2006) and its adjoint col2im.
///
/// For a run of samples `b0 ..< b0 + S`, the column matrix has `K = Cin kh kw` rows and
/// `S N` columns (`N = Hout Wout`), the samples side by side so one GEMM covers them all:
///
///     cols[(ci kh + i) kw + j, (b - b0) N + oh Wout + ow] = x[b, ci, oh s + i - p, ow s + j - p]
///
/// with zero outside the image (zero padding). col2im is the transpose of this linear map:
/// every column entry is added back into the input position it was copied from.
public enum Im2col {
    /// Writes the `[K, S N]` column matrix of samples `samples` of `x` (`[B, Cin, H, W]`,
    /// row-major) into `cols`. Rows are filled in parallel.
    public static func im2col(_ x: UnsafePointer<Float>, _ g: Conv2dGeometry, samples: Range<Int>,
                              into cols: UnsafeMutablePointer<Float>, threads: Int = Parallel.threads) {
        let n = g.outPixels, ld = samples.count * n
        let (h, w, oh, ow) = (g.height, g.width, g.outHeight, g.outWidth)
        let (kh, kw, s, p) = (g.kernelHeight, g.kernelWidth, g.stride, g.padding)
        let plane = h * w, sampleSize = g.inChannels * plane
        Parallel.forChunks(g.patchSize, cost: ld, threads: threads) { rows in
            for k in rows {
                let j = k % kw, i = (k / kw) % kh, ci = k / (kw * kh)
                let (lo, hi) = validRange(kernelOffset: j, size: w, outSize: ow, stride: s, padding: p)
                let rowLo = validRange(kernelOffset: i, size: h, outSize: oh, stride: s, padding: p)
                for (slot, b) in samples.enumerated() {
                    let src = x + b * sampleSize + ci * plane
                    let dstSample = cols + k * ld + slot * n
                    if s == 1 && ow == w {
                        copyShifted(src, into: dstSample, width: w, outHeight: oh, rows: rowLo, rowShift: i - p, columnShift: j - p)
                        continue
                    }
                    // Zero the whole row in one call, then copy the valid window of each output
                    // row with an inlined loop (output rows are short: per-row calls would dominate).
                    dstSample.update(repeating: 0, count: n)
                    if lo >= hi { continue }
                    for y in rowLo.lo..<max(rowLo.lo, rowLo.hi) {
                        let dst = dstSample + y * ow
                        let srcRow = src + (y * s + i - p) * w + (j - p)
                        for x in lo..<hi { dst[x] = srcRow[x * s] }
                    }
                }
            }
        }
    }

    /// `cols` is scratch: entries that read the padding may be zeroed on the way.
    /// Overwrites the input-gradient planes of samples `samples` in `dx` (`[B, Cin, H, W]`) with
    /// the col2im of `cols` (`[K, S N]`): each entry is added back to the input position it was
    /// read from. Planes `(b, ci)` are independent and processed in parallel.
    public static func col2im(_ cols: UnsafeMutablePointer<Float>, _ g: Conv2dGeometry, samples: Range<Int>,
                              into dx: UnsafeMutablePointer<Float>, threads: Int = Parallel.threads) {
        let n = g.outPixels, ld = samples.count * n
        let (h, w, oh, ow) = (g.height, g.width, g.outHeight, g.outWidth)
        let (kh, kw, s, p) = (g.kernelHeight, g.kernelWidth, g.stride, g.padding)
        let plane = h * w, cin = g.inChannels
        Parallel.forChunks(samples.count * cin, cost: kh * kw * n, threads: threads) { planes in
            for planeIndex in planes {
                let slot = planeIndex / cin, ci = planeIndex % cin
                let dst = dx + (samples.lowerBound + slot) * cin * plane + ci * plane
                dst.update(repeating: 0, count: plane)
                for i in 0..<kh {
                    let rowLo = validRange(kernelOffset: i, size: h, outSize: oh, stride: s, padding: p)
                    for j in 0..<kw {
                        let (lo, hi) = validRange(kernelOffset: j, size: w, outSize: ow, stride: s, padding: p)
                        if lo >= hi { continue }
                        let srcSample = cols + ((ci * kh + i) * kw + j) * ld + slot * n
                        if s == 1 && ow == w {
                            addShifted(srcSample, into: dst, width: w, rows: rowLo, rowShift: i - p, columnShift: j - p)
                            continue
                        }
                        for y in rowLo.lo..<max(rowLo.lo, rowLo.hi) {
                            let src = srcSample + y * ow
                            let dstRow = dst + (y * s + i - p) * w + (j - p)
                            if s == 1 {
                                for x in lo..<hi { dstRow[x] += src[x] }
                            } else {
                                for x in lo..<hi { dstRow[x * s] += src[x] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// One im2col row of one sample when the output is as wide as the input (stride 1,
    /// `2 padding = kw - 1`): output row `y` reads input row `y + rowShift` shifted by
    /// `columnShift`, so the valid rows are one contiguous copy from a constant offset; the
    /// positions that read the left/right padding (and the rows outside `rows`) are then zeroed.
    @inline(__always)
    static func copyShifted(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, width w: Int, outHeight: Int,
                            rows: (lo: Int, hi: Int), rowShift: Int, columnShift: Int) {
        let first = rows.lo * w, last = rows.hi * w          // valid rows as a flat range of dst
        if first > 0 { dst.update(repeating: 0, count: first) }
        if last < outHeight * w { (dst + last).update(repeating: 0, count: outHeight * w - last) }
        if first >= last { return }
        let offset = rowShift * w + columnShift
        // Skip the element before the first / after the last valid row (edge columns, zeroed below),
        // so the source read stays inside the plane.
        let lo = first + max(0, -columnShift), hi = last - max(0, columnShift)
        if lo < hi { (dst + lo).update(from: src + lo + offset, count: hi - lo) }
        zeroEdgeColumns(dst, width: w, rows: rows, columnShift: columnShift)
    }

    /// The adjoint of `copyShifted`: zeroes the entries of the im2col row that read padding,
    /// then adds the valid rows back with one contiguous loop.
    @inline(__always)
    static func addShifted(_ src: UnsafeMutablePointer<Float>, into dst: UnsafeMutablePointer<Float>, width w: Int,
                           rows: (lo: Int, hi: Int), rowShift: Int, columnShift: Int) {
        if rows.lo >= rows.hi { return }
        zeroEdgeColumns(src, width: w, rows: rows, columnShift: columnShift)
        let offset = rowShift * w + columnShift
        let lo = rows.lo * w + max(0, -columnShift), hi = rows.hi * w - max(0, columnShift)
        if lo >= hi { return }
        let d = dst + offset
        for t in lo..<hi { d[t] += src[t] }
    }

    /// Zeroes, in rows `rows` of a `width`-wide im2col row, the columns whose input column
    /// `x + columnShift` falls outside `0 ..< width`.
    @inline(__always)
    static func zeroEdgeColumns(_ p: UnsafeMutablePointer<Float>, width w: Int, rows: (lo: Int, hi: Int), columnShift: Int) {
        if columnShift == 0 { return }
        let (c0, c1) = columnShift < 0 ? (0, min(w, -columnShift)) : (max(0, w - columnShift), w)
        if c1 - c0 == 1 {
            // The 3x3 case: one column; a plain store (an inner loop would become a memset call per row).
            for y in rows.lo..<rows.hi { p[y * w + c0] = 0 }
            return
        }
        for y in rows.lo..<rows.hi {
            let row = p + y * w
            for x in c0..<c1 { row[x] = 0 }
        }
    }

    /// Output positions `o` in `lo ..< hi` whose input position `o stride + kernelOffset - padding`
    /// lies inside `0 ..< size` (the rest read the zero padding).
    @inline(__always)
    static func validRange(kernelOffset: Int, size: Int, outSize: Int, stride: Int, padding: Int) -> (lo: Int, hi: Int) {
        let shift = kernelOffset - padding
        // smallest o with o s + shift >= 0, and one past the largest with o s + shift <= size - 1
        let lo = shift >= 0 ? 0 : (-shift + stride - 1) / stride
        let last = size - 1 - shift
        let hi = last < 0 ? 0 : min(outSize, last / stride + 1)
        return (min(lo, outSize), max(min(lo, outSize), hi))
    }
}
