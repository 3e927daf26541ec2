import CKernels
import Dispatch
import Foundation

/// Stride-1 3x3 convolution by Winograd's minimal filtering F(2x2, 3x3) (Lavin & Gray, "Fast
/// Algorithms for Convolutional Neural Networks", CVPR 2016):
///
///     Y = A^T [ sum_ci (G g[co, ci] G^T) .* (B^T d[ci] B) ] A
///
/// per 2x2 output tile (`d` the 4x4 input tile). The channel sum of the 16 element-wise products
/// is 16 GEMMs `M[xi] = U[xi] V[xi]` (`U[xi]` `[Cout, Cin]`, `V[xi]` `[Cin, T]` over `T` tiles):
/// 16 Cout Cin T multiply-adds where im2col's GEMM needs 36 (2.25x fewer), and the input is
/// expanded 4x (4x4 tiles overlapping by 2) where im2col copies it 9x. The transforms are in
/// `CKernels` (Winograd.c); the GEMMs go to OpenBLAS. Runs of samples (about `targetTiles`
/// tiles each) bound the workspace and are spread over the workers as in `Conv2dKernel`.
public enum WinogradConv {
    /// Whether `Conv2dKernel.forward` may choose Winograd (`DIFFUSE_WINOGRAD=0` turns it off).
    public static let enabled: Bool = ProcessInfo.processInfo.environment["DIFFUSE_WINOGRAD"] != "0"
    /// Fewest input and output channels. Below, the GEMMs (K = Cin, M = Cout) get too thin to
    /// pay for the transforms: measured on mnist's 28x28 layers (`diffuse-bench kernels
    /// --cpu-time`), 32 -> 32 channels ran no faster, 64 and 96 -> 32 ran 20-30% faster.
    public static let minInChannels = 64
    public static let minOutChannels = 32
    /// Fewest output pixels per sample: at 8x8 (16 tiles a sample) and below the weight
    /// transform and the thin GEMMs cost more than im2col saves.
    public static let minOutPixels = 144
    /// Tiles per run of samples (GEMM width).
    public static let targetTiles = 512

    /// Whether Winograd can compute `g` at all: a 3x3 stride-1 convolution with padding at most
    /// 2 and an output of at least 4x4 (whether it is faster, `ConvAutotuner` measures).
    public static func canCompute(_ g: Conv2dGeometry) -> Bool {
        g.kernelHeight == 3 && g.kernelWidth == 3 && g.stride == 1 && g.padding <= 2 && g.outHeight >= 4 && g.outWidth >= 4
    }

    /// The fixed rule used before measurement, and where the autotuner does not time a shape:
    /// `canCompute`, enough channels and an output of at least `minOutPixels` pixels.
    public static func applies(_ g: Conv2dGeometry) -> Bool {
        canCompute(g) && g.inChannels >= minInChannels && g.outChannels >= minOutChannels
            && g.outHeight >= 4 && g.outWidth >= 4 && g.outPixels >= minOutPixels
    }

    /// `U[xi, co, ci] = (G g[co, ci] G^T)[xi]` (`[16, Cout, Cin]`), output channels spread over
    /// the workers; with a `simd` level other than `portable`, 8 or 16 input channels per vector
    /// (the same bits as the portable loop).
    static func kernelTransform(_ weight: Tensor, cout: Int, cin: Int, simd: SIMDLevel) -> Tensor {
        let u = Tensor(uninitialized: [16, cout, cin])
        let w = weight.pointer, us = u.pointer
        Parallel.forChunks(cout, cost: 16 * cin) { co in
            if let kernels = simd.kernels {
                kernels.winograd_kernel_transform(w, us, co.lowerBound, co.upperBound, cout, cin)
            } else {
                diffuse_winograd_kernel_transform_rows(w, us, co.lowerBound, co.upperBound, 0, cin, cout, cin)
            }
        }
        return u
    }

    /// `conv2d(x, weight) + bias` (see `Conv2dKernel.forward`) for a geometry where `applies`.
    /// With a `simd` level other than `portable` (by default `CPUFeatures.simd`) the transforms
    /// run 8 or 16 tiles per vector (that level's `CKernels` versions).
    public static func forward(_ x: Tensor, weight: Tensor, bias: Tensor?, geometry g: Conv2dGeometry,
                               simd: SIMDLevel = CPUFeatures.simd) -> Tensor {
        precondition(g.kernelHeight == 3 && g.kernelWidth == 3 && g.stride == 1,
                     "WinogradConv: needs a stride-1 3x3 convolution, got \(g.kernelHeight)x\(g.kernelWidth) stride \(g.stride)")
        let y = Tensor(uninitialized: g.outputShape)
        if g.batch == 0 || g.outPixels == 0 { return y }
        let (cin, cout, h, w) = (g.inChannels, g.outChannels, g.height, g.width)
        let (outH, outW) = (g.outHeight, g.outWidth)
        let tilesH = (outH + 1) / 2, tilesW = (outW + 1) / 2, perSample = tilesH * tilesW
        let run = Conv2dKernel.balancedRun(batch: g.batch, atMost: min(g.batch, (targetTiles + perSample - 1) / perSample))
        let runs = (g.batch + run - 1) / run
        let workers = Conv2dKernel.runWorkers(runs: runs, multiplyAdds: 16 * g.batch * perSample * cin * cout)

        let u = kernelTransform(weight, cout: cout, cin: cin, simd: simd)
        let tilesPerRun = run * perSample
        let v = (0..<workers).map { _ in Tensor(uninitialized: [16 * cin * tilesPerRun]) }
        let m = (0..<workers).map { _ in Tensor(uninitialized: [16 * cout * tilesPerRun]) }
        let xs = x.pointer, ys = y.pointer, us = u.pointer, biasPointer = bias?.pointer

        func forwardRun(_ r: Int, chunk: Int, worker: Int, threads: Int) {
            let samples = (r * run)..<min(g.batch, (r + 1) * run)
            let tiles = samples.count * perSample
            let vs = v[worker].pointer, ms = m[worker].pointer
            let xRun = xs + samples.lowerBound * cin * h * w, yRun = ys + samples.lowerBound * cout * outH * outW
            Parallel.forChunks(cin, cost: 16 * tiles, threads: threads) { c in
                (simd.kernels?.winograd_input_transform ?? diffuse_winograd_input_transform)(
                    xRun, vs, samples.count, cin, c.lowerBound, c.upperBound, h, w, g.padding, tilesH, tilesW)
            }
            // M[xi] = U[xi] V[xi]: the 16 GEMMs handed to the threads as they come free (unless
            // OpenBLAS threads each GEMM itself).
            let parts = min(16, Gemm.workerThreads == 1 ? 1 : threads)
            Parallel.dynamic(chunks: 16, workers: parts) { xi, _ in
                Gemm.sgemm(m: cout, n: tiles, k: cin, a: us + xi * cout * cin, lda: cin,
                           b: vs + xi * cin * tiles, ldb: tiles, beta: 0, c: ms + xi * cout * tiles, ldc: tiles,
                           threads: parts > 1 ? 1 : threads)
            }
            Parallel.forChunks(cout, cost: 16 * tiles, threads: threads) { c in
                (simd.kernels?.winograd_output_transform ?? diffuse_winograd_output_transform)(
                    ms, yRun, biasPointer, samples.count, cout, c.lowerBound, c.upperBound, outH, outW, tilesH, tilesW)
            }
        }

        Conv2dKernel.forEachRun(runs: runs, workers: workers, chunks: Conv2dKernel.runChunks(runs: runs, workers: workers),
                                forwardRun)
        return y
    }
}
