import Dispatch

/// 2-D convolution (cross-correlation, as PyTorch's `conv2d`) with zero padding, lowered to GEMM:
///
///     y[b, co, oh, ow] = bias[co] + sum_{ci, i, j} w[co, ci, i, j] x[b, ci, oh s + i - p, ow s + j - p]
///
/// For a run of `S` samples, `Y'[Cout, S N] = W[Cout, K] cols[K, S N]` with `cols` from
/// `Im2col.im2col` (the samples side by side, so small images still give a wide GEMM), then
/// `Y'` is scattered to NCHW (`y[b, co, n] = Y'[co, (b - b0) N + n]`). With `S = 1` the GEMM
/// writes straight into the output, and a 1x1 stride-1 unpadded convolution uses the input
/// itself as its column matrix (no im2col).
///
/// Backward, with `dY'` the output gradient gathered into the same `[Cout, S N]` layout:
/// `dW = sum_runs dY' cols^T` (one GEMM per run, accumulating with beta = 1),
/// `dcols = W^T dY'` then `dx = col2im(dcols)`, and `db[co] = sum_{b, n} dy[b, co, n]`.
public enum Conv2dKernel {
    /// Columns per GEMM: runs of samples are folded together until they reach this width.
    /// Measured (`diffuse-bench kernels --cpu-time`, one core): one sample per GEMM is fastest
    /// at 28x28 and 32x32 (the column matrix stays in cache and no scatter is needed), while
    /// 7x7, 8x8 and 4x4 images need several samples side by side; 512 gets both
    /// (4096 lost 5-10 points of the sgemm rate at 28x28).
    public static let targetColumns = 512
    /// Upper bound on the im2col workspace (floats) for one run of samples.
    public static let maxWorkspace = 1 << 23

    /// Samples lowered into one GEMM: enough to reach `targetColumns`, as far as the
    /// workspace bound allows, balanced over the batch.
    /// A pointwise convolution runs one sample per GEMM down to 32 pixels: it then needs no
    /// copy at all, which measured faster than folding at 7x7 (49 pixels); at 4x4 (16 pixels)
    /// the GEMMs get too narrow and folding wins again.
    public static let pointwiseMinPixels = 32

    public static func samplesPerGemm(_ g: Conv2dGeometry) -> Int {
        if g.isPointwise && g.outPixels >= pointwiseMinPixels { return 1 }
        let n = max(1, g.outPixels)
        var s = min(g.batch, (targetColumns + n - 1) / n)
        s = min(s, max(1, maxWorkspace / max(1, g.patchSize * n)))
        return balancedRun(batch: g.batch, atMost: s)
    }

    /// Samples per run when runs of at most `atMost` cover `batch`: the same number of runs,
    /// as even as they can be (8 in runs of 5 becomes 4 + 4).
    static func balancedRun(batch: Int, atMost: Int) -> Int {
        let runs = (batch + max(1, atMost) - 1) / max(1, atMost)
        return max(1, (batch + runs - 1) / max(1, runs))
    }

    /// Workers that take whole runs of samples each (im2col, single-threaded GEMMs, scatter):
    /// one Dispatch region per convolution instead of one per GEMM and per copy. 1 when there
    /// are fewer runs than threads (the GEMMs are then split instead) or little work.
    static func runWorkers(runs: Int, multiplyAdds: Int) -> Int {
        if multiplyAdds < Gemm.minParallelMultiplyAdds { return 1 }
        let threads = Gemm.workerThreads
        return runs >= threads ? threads : 1
    }

    /// `conv2d(x, weight) + bias` for `x` `[B, Cin, H, W]`, `weight` `[Cout, Cin, kh, kw]` and
    /// `bias` `[Cout]`; `samplesPerGemm` overrides the batching heuristic (for benchmarks).
    /// `winograd` allows `WinogradConv` where it applies (nil: unless `DIFFUSE_WINOGRAD=0`).
    /// With neither given, the pass runs the algorithm `ConvAutotuner.shared` chose for the shape,
    /// on operands rounded to bf16 under `PrecisionMode.bf16Emulated` (also in `backward`).
    public static func forward(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0,
                               samplesPerGemm: Int? = nil, winograd: Bool? = nil) -> Tensor {
        let g = Conv2dGeometry(input: x.shape, weight: weight.shape, stride: stride, padding: padding)
        if let bias {
            precondition(bias.shape == [g.outChannels], "conv2d: bias shape \(bias.shape) is not [\(g.outChannels)] for weight \(weight.shape)")
        }
        if samplesPerGemm == nil && winograd == nil {
            return forward(MixedPrecision.operand(x), weight: MixedPrecision.operand(weight), bias: bias, geometry: g,
                           algorithm: ConvAutotuner.shared.algorithm(g, .forward))
        }
        return forwardLowered(x, weight: weight, bias: bias, geometry: g, samplesPerGemm: samplesPerGemm,
                              winograd: winograd ?? WinogradConv.enabled)
    }

    /// The forward pass by `algorithm`.
    public static func forward(_ x: Tensor, weight: Tensor, bias: Tensor?, geometry g: Conv2dGeometry,
                               algorithm: ConvAlgorithm) -> Tensor {
        switch algorithm {
        case .im2col(let run): return forwardLowered(x, weight: weight, bias: bias, geometry: g, samplesPerGemm: run, winograd: false)
        case .winograd: return WinogradConv.forward(x, weight: weight, bias: bias, geometry: g)
        case .onednn: return OneDNNConv.forward(x, weight: weight, bias: bias, geometry: g)
        case .onednnBF16: return OneDNNConv.forward(x, weight: weight, bias: bias, geometry: g, precision: .bf16)
        }
    }

    /// The input gradient by `algorithm` (Winograd: the flipped-kernel convolution).
    public static func inputGradient(_ gradOut: Tensor, input x: Tensor, weight: Tensor, geometry g: Conv2dGeometry,
                                     algorithm: ConvAlgorithm) -> Tensor {
        switch algorithm {
        case .im2col(let run):
            return backwardLowered(gradOut, input: x, weight: weight, geometry: g, needInput: true, needWeight: false,
                                   samplesPerGemm: run, winograd: false).input!
        case .winograd:
            return WinogradConv.forward(gradOut, weight: flippedTransposed(weight), bias: nil, geometry: flippedGeometry(g))
        case .onednn: return OneDNNConv.inputGradient(gradOut, weight: weight, geometry: g)
        case .onednnBF16: return OneDNNConv.inputGradient(gradOut, weight: weight, geometry: g, precision: .bf16)
        }
    }

    /// The weight gradient by `algorithm` (im2col or oneDNN).
    public static func weightGradient(_ gradOut: Tensor, input x: Tensor, weight: Tensor, geometry g: Conv2dGeometry,
                                      algorithm: ConvAlgorithm) -> Tensor {
        switch algorithm {
        case .im2col(let run):
            return backwardLowered(gradOut, input: x, weight: weight, geometry: g, needInput: false, needWeight: true,
                                   samplesPerGemm: run, winograd: false).weight!
        case .winograd: preconditionFailure("conv2d: Winograd has no weight gradient")
        case .onednn: return OneDNNConv.weightGradient(gradOut, input: x, geometry: g)
        case .onednnBF16: return OneDNNConv.weightGradient(gradOut, input: x, geometry: g, precision: .bf16)
        }
    }

    /// im2col + GEMM (or Winograd where `winograd` and `WinogradConv.applies`).
    static func forwardLowered(_ x: Tensor, weight: Tensor, bias: Tensor?, geometry g: Conv2dGeometry,
                               samplesPerGemm: Int?, winograd: Bool) -> Tensor {
        if winograd && WinogradConv.applies(g) {
            return WinogradConv.forward(x, weight: weight, bias: bias, geometry: g)
        }
        let y = Tensor(uninitialized: g.outputShape)
        if g.batch == 0 || g.outPixels == 0 { return y }
        let (n, k, cout) = (g.outPixels, g.patchSize, g.outChannels)
        let run = min(g.batch, max(1, samplesPerGemm ?? Self.samplesPerGemm(g)))
        let runs = (g.batch + run - 1) / run
        let workers = runWorkers(runs: runs, multiplyAdds: g.batch * n * k * cout)
        let direct = run == 1 && g.isPointwise
        let cols = direct ? [] : (0..<workers).map { _ in Tensor(uninitialized: [k * run * n]) }
        let wide = run == 1 ? [] : (0..<workers).map { _ in Tensor(uninitialized: [cout * run * n]) }
        let xs = x.pointer, ys = y.pointer, ws = weight.pointer, biasPointer = bias?.pointer
        let outSample = cout * n

        // One run: Y'[Cout, S N] = W cols, written to NCHW (directly when S = 1).
        func forwardRun(_ r: Int, chunk: Int, worker: Int, threads: Int) {
            let samples = (r * run)..<min(g.batch, (r + 1) * run)
            let columns = samples.count * n
            let colsPointer = columnMatrix(xs, g, samples: samples, workspace: cols.isEmpty ? nil : cols[worker], threads: threads)
            let out = ys + samples.lowerBound * outSample
            if wide.isEmpty {
                if let biasPointer {
                    for co in 0..<cout { (out + co * n).update(repeating: biasPointer[co], count: n) }
                }
                Gemm.sgemm(m: cout, n: n, k: k, a: ws, lda: k, b: colsPointer, ldb: n,
                           beta: biasPointer == nil ? 0 : 1, c: out, ldc: n,
                           threads: threads)
            } else {
                let widePointer = wide[worker].pointer
                Gemm.sgemm(m: cout, n: columns, k: k, a: ws, lda: k,
                           b: colsPointer, ldb: columns, beta: 0, c: widePointer, ldc: columns,
                           threads: threads)
                scatter(widePointer, into: out, samples: samples.count, channels: cout, pixels: n, bias: biasPointer,
                        threads: threads)
            }
        }

        forEachRun(runs: runs, workers: workers, chunks: runChunks(runs: runs, workers: workers), forwardRun)
        return y
    }

    /// Chunks of runs for `forEachRun`: 1 for one worker, else `Parallel.chunkCount`.
    static func runChunks(runs: Int, workers: Int) -> Int {
        workers == 1 ? 1 : Parallel.chunkCount(items: runs, workers: workers)
    }

    /// Calls `body(run, chunk, worker, threads)` for runs `0 ..< runs`: in order on the calling
    /// thread with `Parallel.threads` threads when `workers == 1`, else in `chunks` contiguous
    /// blocks of runs (`Parallel.chunk`) that the workers take as they come free
    /// (`Parallel.dynamic`), each run with one thread. `worker` picks scratch buffers (one in
    /// use per worker); `chunk` picks anything whose contents must not depend on timing, such
    /// as a partial sum.
    static func forEachRun(runs: Int, workers: Int, chunks: Int, _ body: (Int, Int, Int, Int) -> Void) {
        if workers == 1 {
            for r in 0..<runs { body(r, 0, 0, Parallel.threads) }
        } else {
            Parallel.dynamic(chunks: chunks, workers: workers) { c, w in
                for r in Parallel.chunk(c, of: chunks, items: runs) { body(r, c, w, 1) }
            }
        }
    }

    /// Gradients of the input and the weight from the output gradient `gradOut`
    /// (`[B, Cout, Hout, Wout]`), sharing one gathered `dY'` and one im2col workspace per run
    /// of samples. Only the requested ones are computed. With several workers, the runs are
    /// cut into chunks (see `forEachRun`), each accumulating its own `dW` (chunk 0 straight
    /// into the result), and the partial sums are added in chunk order: the same bits whichever
    /// worker ran which chunk.
    public static func backward(_ gradOut: Tensor, input x: Tensor, weight: Tensor, stride: Int = 1, padding: Int = 0,
                                needInput: Bool = true, needWeight: Bool = true,
                                samplesPerGemm: Int? = nil, winograd: Bool? = nil) -> (input: Tensor?, weight: Tensor?) {
        let g = Conv2dGeometry(input: x.shape, weight: weight.shape, stride: stride, padding: padding)
        precondition(gradOut.shape == g.outputShape,
                     "conv2d backward: output gradient \(gradOut.shape) is not \(g.outputShape) for input \(x.shape) and weight \(weight.shape)")
        if samplesPerGemm == nil && winograd == nil {
            // bf16 emulation: the operands rounded (no-ops in the other modes).
            let (gradOut, x, weight) = (MixedPrecision.operand(gradOut), needWeight ? MixedPrecision.operand(x) : x,
                                        needInput ? MixedPrecision.operand(weight) : weight)
            let tuner = ConvAutotuner.shared
            let forInput = needInput ? tuner.algorithm(g, .inputGradient) : nil
            let forWeight = needWeight ? tuner.algorithm(g, .weightGradient) : nil
            // Both by the col2im path with the same runs: one pass shares the gathered dY'.
            if case .im2col(let a)? = forInput, case .im2col(let b)? = forWeight, a == b, !inputGradientIsConvolution(g) {
                return backwardLowered(gradOut, input: x, weight: weight, geometry: g, needInput: true, needWeight: true,
                                       samplesPerGemm: a, winograd: false)
            }
            return (forInput.map { inputGradient(gradOut, input: x, weight: weight, geometry: g, algorithm: $0) },
                    forWeight.map { weightGradient(gradOut, input: x, weight: weight, geometry: g, algorithm: $0) })
        }
        return backwardLowered(gradOut, input: x, weight: weight, geometry: g, needInput: needInput, needWeight: needWeight,
                               samplesPerGemm: samplesPerGemm, winograd: winograd ?? WinogradConv.enabled)
    }

    /// Both gradients by im2col + GEMM (the input gradient as the flipped-kernel convolution
    /// where `inputGradientIsConvolution`, by Winograd there if `winograd` and it applies).
    static func backwardLowered(_ gradOut: Tensor, input x: Tensor, weight: Tensor, geometry g: Conv2dGeometry,
                                needInput: Bool, needWeight: Bool,
                                samplesPerGemm: Int?, winograd: Bool) -> (input: Tensor?, weight: Tensor?) {
        if needInput && inputGradientIsConvolution(g) {
            let dx = forwardLowered(gradOut, weight: flippedTransposed(weight), bias: nil, geometry: flippedGeometry(g),
                                    samplesPerGemm: samplesPerGemm, winograd: winograd)
            let dw = needWeight ? backwardLowered(gradOut, input: x, weight: weight, geometry: g,
                                                  needInput: false, needWeight: true, samplesPerGemm: samplesPerGemm,
                                                  winograd: false).weight : nil
            return (dx, dw)
        }
        let dx = needInput ? Tensor(uninitialized: g.inputShape) : nil
        let dw = needWeight ? Tensor(zeros: g.weightShape) : nil
        if g.batch == 0 || g.outPixels == 0 || (dx == nil && dw == nil) {
            dx?.fill(0)
            return (dx, dw)
        }
        let (n, k, cout) = (g.outPixels, g.patchSize, g.outChannels)
        let run = min(g.batch, max(1, samplesPerGemm ?? Self.samplesPerGemm(g)))
        let runs = (g.batch + run - 1) / run
        let workers = runWorkers(runs: runs, multiplyAdds: g.batch * n * k * cout)
        let direct = run == 1 && g.isPointwise
        let cols = direct ? [] : (0..<workers).map { _ in Tensor(uninitialized: [k * run * n]) }
        let wide = run == 1 ? [] : (0..<workers).map { _ in Tensor(uninitialized: [cout * run * n]) }
        let chunks = runChunks(runs: runs, workers: workers)
        let dwPartials = dw == nil ? [] : [dw!] + (1..<chunks).map { _ in Tensor(uninitialized: g.weightShape) }
        let xs = x.pointer, gs = gradOut.pointer, ws = weight.pointer
        let inSample = g.inChannels * g.height * g.width, outSample = cout * n

        // One run: dW += dY' cols^T, dx = col2im(W^T dY'); the first run of a chunk
        // (see `forEachRun`) starts its dW sum.
        func backwardRun(_ r: Int, chunk: Int, worker: Int, threads: Int) {
            let first = r == Parallel.chunk(chunk, of: chunks, items: runs).lowerBound
            let samples = (r * run)..<min(g.batch, (r + 1) * run)
            let columns = samples.count * n
            let b0 = samples.lowerBound
            let dyPointer: UnsafePointer<Float>
            if wide.isEmpty {
                dyPointer = UnsafePointer(gs + b0 * outSample)
            } else {
                gather(gs + b0 * outSample, into: wide[worker].pointer, samples: samples.count, channels: cout, pixels: n,
                       threads: threads)
                dyPointer = UnsafePointer(wide[worker].pointer)
            }
            let workspace = cols.isEmpty ? nil : cols[worker]
            if !dwPartials.isEmpty {
                let colsPointer = columnMatrix(xs, g, samples: samples, workspace: workspace, threads: threads)
                // dW[Cout, K] += dY'[Cout, S N] cols[K, S N]^T
                Gemm.sgemm(transB: true, m: cout, n: k, k: columns, a: dyPointer, lda: columns,
                           b: colsPointer, ldb: columns, beta: first ? 0 : 1, c: dwPartials[chunk].pointer, ldc: k,
                           threads: threads)
            }
            if let dx {
                if let workspace {
                    // dcols[K, S N] = W^T dY', then scattered back by col2im
                    Gemm.sgemm(transA: true, m: k, n: columns, k: cout, a: ws, lda: k,
                               b: dyPointer, ldb: columns, beta: 0, c: workspace.pointer, ldc: columns,
                               threads: threads)
                    Im2col.col2im(workspace.pointer, g, samples: samples, into: dx.pointer, threads: threads)
                } else {
                    Gemm.sgemm(transA: true, m: k, n: n, k: cout, a: ws, lda: k, b: dyPointer, ldb: n,
                               beta: 0, c: dx.pointer + b0 * inSample, ldc: n,
                               threads: threads)
                }
            }
        }

        forEachRun(runs: runs, workers: workers, chunks: chunks, backwardRun)
        if let dw {
            for partial in dwPartials.dropFirst() { dw.addInPlace(partial) }
        }
        return (dx, dw)
    }

    /// Whether `dx` is computed as a convolution of `dy` (see `flippedTransposed`): stride 1,
    /// a square kernel larger than 1x1 and `padding <= k - 1`. It writes `dx` straight from one
    /// GEMM per run, where `col2im(W^T dY')` needs a `K x S N` buffer zeroed by OpenBLAS (beta 0)
    /// and a read-modify-write scatter of it.
    static func inputGradientIsConvolution(_ g: Conv2dGeometry) -> Bool {
        g.stride == 1 && g.kernelHeight == g.kernelWidth && g.kernelHeight > 1 && g.padding <= g.kernelHeight - 1
    }

    /// For a stride-1 convolution with a `k x k` kernel and padding `p`, the input gradient is
    /// the "full" correlation of `dy` with the flipped kernel:
    ///
    ///     dx[b, ci] = sum_co corr(dy[b, co], W~[ci, co]),  W~[ci, co, i, j] = W[co, ci, k-1-i, k-1-j],
    ///
    /// with padding `k - 1 - p`. Returns `W~` (`[Cin, Cout, k, k]`).
    static func flippedTransposed(_ weight: Tensor) -> Tensor {
        let (cout, cin, kh, kw) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
        let flipped = Tensor(uninitialized: [cin, cout, kh, kw])
        let src = weight.pointer, dst = flipped.pointer
        for co in 0..<cout {
            for ci in 0..<cin {
                let from = src + (co * cin + ci) * kh * kw, to = dst + (ci * cout + co) * kh * kw
                for t in 0..<(kh * kw) { to[t] = from[kh * kw - 1 - t] }
            }
        }
        return flipped
    }

    /// The geometry of the flipped-kernel convolution (see `flippedTransposed`): `dy`
    /// `[B, Cout, Hout, Wout]` with `W~`, stride 1, padding `k - 1 - p`.
    static func flippedGeometry(_ g: Conv2dGeometry) -> Conv2dGeometry {
        Conv2dGeometry(batch: g.batch, inChannels: g.outChannels, height: g.outHeight, width: g.outWidth,
                       outChannels: g.inChannels, kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth,
                       stride: 1, padding: g.kernelHeight - 1 - g.padding)
    }

    /// `dx = col2im(W^T dY')`.
    public static func backwardInput(_ gradOut: Tensor, input x: Tensor, weight: Tensor,
                                     stride: Int = 1, padding: Int = 0) -> Tensor {
        backward(gradOut, input: x, weight: weight, stride: stride, padding: padding, needInput: true, needWeight: false).input!
    }

    /// `dW = sum_runs dY' cols^T`.
    public static func backwardWeight(_ gradOut: Tensor, input x: Tensor, weight: Tensor,
                                      stride: Int = 1, padding: Int = 0) -> Tensor {
        backward(gradOut, input: x, weight: weight, stride: stride, padding: padding, needInput: false, needWeight: true).weight!
    }

    /// `db[co] = sum_{b, n} dy[b, co, n]`, each row summed by `BlockSums` and accumulated in
    /// Float64, channels in parallel.
    public static func backwardBias(_ gradOut: Tensor) -> Tensor {
        precondition(gradOut.rank == 4, "conv2d backwardBias: expected [B, Cout, Hout, Wout], got \(gradOut.shape)")
        let (batch, cout, n) = (gradOut.shape[0], gradOut.shape[1], gradOut.shape[2] * gradOut.shape[3])
        let db = Tensor(uninitialized: [cout])
        let gs = gradOut.pointer, out = db.pointer
        Parallel.forChunks(cout, cost: batch * n) { channels in
            for co in channels {
                var acc = 0.0
                for b in 0..<batch { acc += BlockSums.sum(gs + (b * cout + co) * n, count: n) }
                out[co] = Float(acc)
            }
        }
        return db
    }

    /// The `[K, S N]` column matrix of a run of samples: im2col into `workspace`, or, without
    /// a workspace (a pointwise convolution, one sample per run), the sample's input itself.
    @inline(__always)
    static func columnMatrix(_ x: UnsafePointer<Float>, _ g: Conv2dGeometry, samples: Range<Int>,
                             workspace: Tensor?, threads: Int) -> UnsafePointer<Float> {
        guard let workspace else {
            return x + samples.lowerBound * g.inChannels * g.height * g.width
        }
        Im2col.im2col(x, g, samples: samples, into: workspace.pointer, threads: threads)
        return UnsafePointer(workspace.pointer)
    }

    /// `y[b, co, n] = Y'[co, b N + n] + bias[co]` for `S` samples (the GEMM layout to NCHW).
    static func scatter(_ wide: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, samples: Int, channels: Int,
                        pixels n: Int, bias: UnsafePointer<Float>?, threads: Int) {
        Parallel.forChunks(samples * channels, cost: n, threads: threads) { rows in
            for r in rows {
                let b = r / channels, co = r % channels
                let src = wide + co * samples * n + b * n, dst = y + r * n
                if let bias {
                    let beta = bias[co]
                    for i in 0..<n { dst[i] = src[i] + beta }
                } else {
                    dst.update(from: src, count: n)
                }
            }
        }
    }

    /// `dY'[co, b N + n] = dy[b, co, n]` for `S` samples (NCHW to the GEMM layout).
    static func gather(_ dy: UnsafePointer<Float>, into wide: UnsafeMutablePointer<Float>, samples: Int, channels: Int,
                       pixels n: Int, threads: Int) {
        Parallel.forChunks(samples * channels, cost: n, threads: threads) { rows in
            for r in rows {
                let b = r / channels, co = r % channels
                (wide + co * samples * n + b * n).update(from: dy + r * n, count: n)
            }
        }
    }
}
