import Foundation
import NN
import Tensor

/// Times the conv2d kernels on the convolution shapes of the UNets against raw `Gemm.sgemm`
/// on the equivalent GEMM shapes, in the same run and interleaved, so both see the same
/// machine load.
///
/// For a geometry with `M = Cout`, `K = Cin kh kw`, `N = B Hout Wout`, the forward pass is
/// compared with one `[M, K] x [K, N]` sgemm, and the backward pass (input and weight
/// gradients) with the two sgemms it contains, `dW = dY cols^T` (`[M, N] x [N, K]`) and
/// `dcols = W^T dY` (`[K, M] x [M, N]`). Each rate is `2 M N K` per GEMM over the best time of
/// the rounds; the ratio is conv rate / sgemm rate (1 means the lowering costs nothing).
public struct KernelBenchmark {
    public struct Options: Sendable {
        /// Minimum number of timed rounds per geometry (after one warm-up round).
        public var rounds: Int = 3
        /// Keep timing rounds until this many seconds were spent on a geometry.
        public var minSeconds: Double = 0.5
        /// Samples per GEMM for the conv kernels; nil uses `Conv2dKernel.samplesPerGemm`.
        public var samplesPerGemm: Int?
        /// Time on the wall clock, or as CPU time of the process (all threads), which does not
        /// count time the process waited for a core: a per-core rate that holds up on a busy machine.
        public var cpuTime: Bool = false
        public init(rounds: Int = 3, minSeconds: Double = 0.5, samplesPerGemm: Int? = nil, cpuTime: Bool = false) {
            self.rounds = rounds
            self.minSeconds = minSeconds
            self.samplesPerGemm = samplesPerGemm
            self.cpuTime = cpuTime
        }
    }

    /// Best times (seconds) for one geometry.
    public struct Measurement: Sendable {
        public var geometry: Conv2dGeometry
        public var layers: [String]
        public var convForward: Double
        public var convBackward: Double
        public var sgemmForward: Double
        public var sgemmBackward: Double

        public var flops: Double { geometry.forwardFlops }
        public var forwardGflops: Double { flops / convForward / 1e9 }
        public var backwardGflops: Double { 2 * flops / convBackward / 1e9 }
        public var sgemmForwardGflops: Double { flops / sgemmForward / 1e9 }
        public var sgemmBackwardGflops: Double { 2 * flops / sgemmBackward / 1e9 }
    }

    /// All measurements of one UNet configuration.
    public struct ConfigResult: Sendable {
        public var config: TrainBenchmark.Config
        public var measurements: [Measurement]

        /// Totals over every convolution layer of the network (shared geometries counted per
        /// layer): conv and sgemm rates for forward, backward, and both.
        public var totals: (forward: Double, backward: Double, sgemmForward: Double, sgemmBackward: Double) {
            var t = (forward: 0.0, backward: 0.0, sgemmForward: 0.0, sgemmBackward: 0.0)
            for m in measurements {
                let n = Double(m.layers.count)
                t.forward += n * m.convForward
                t.backward += n * m.convBackward
                t.sgemmForward += n * m.sgemmForward
                t.sgemmBackward += n * m.sgemmBackward
            }
            return t
        }

        public var totalForwardFlops: Double { measurements.reduce(0) { $0 + Double($1.layers.count) * $1.flops } }
    }

    public var options: Options
    public init(options: Options = Options()) { self.options = options }

    /// Measures one geometry.
    public func measure(_ g: Conv2dGeometry, layers: [String] = []) -> Measurement {
        let (m, k, n) = (g.outChannels, g.patchSize, g.batch * g.outPixels)
        let rng = CounterRNG(seed: 1)
        func filled(_ shape: [Int], _ stream: UInt32) -> Tensor {
            rng.uniform([1, Tensor.count(of: shape)], purpose: .misc, stream: stream, step: 0, firstSample: 0).reshaped(shape)
        }
        let x = filled(g.inputShape, 1), w = filled(g.weightShape, 2), bias = filled([m], 3), dy = filled(g.outputShape, 4)
        // Raw GEMM operands: A [M, K], B [K, N], C [M, N]; backward outputs dW [M, K], dcols [K, N].
        let a = filled([m, k], 5), b = filled([k, n], 6), c = Tensor(zeros: [m, n])
        let dw = Tensor(zeros: [m, k]), dcols = Tensor(zeros: [k, n]), dyWide = filled([m, n], 7)
        let run = options.samplesPerGemm

        let convForward = { _ = Conv2dKernel.forward(x, weight: w, bias: bias, stride: g.stride, padding: g.padding, samplesPerGemm: run) }
        let convBackward = { _ = Conv2dKernel.backward(dy, input: x, weight: w, stride: g.stride, padding: g.padding, samplesPerGemm: run) }
        let sgemmForward = {
            Gemm.sgemm(m: m, n: n, k: k, a: a.pointer, lda: k, b: b.pointer, ldb: n, beta: 0, c: c.pointer, ldc: n)
        }
        let sgemmBackward = {
            Gemm.sgemm(transB: true, m: m, n: k, k: n, a: dyWide.pointer, lda: n, b: b.pointer, ldb: n, beta: 0, c: dw.pointer, ldc: k)
            Gemm.sgemm(transA: true, m: k, n: n, k: m, a: a.pointer, lda: k, b: dyWide.pointer, ldb: n, beta: 0, c: dcols.pointer, ldc: n)
        }
        let work: [() -> Void] = [convForward, sgemmForward, convBackward, sgemmBackward]
        var best = [Double](repeating: .infinity, count: work.count)
        for f in work { f() }   // warm-up: pool buffers, page faults, BLAS threads
        let clock = Self.clock(cpuTime: options.cpuTime)
        let start = monotonicSeconds()
        var rounds = 0
        while rounds < options.rounds || monotonicSeconds() - start < options.minSeconds {
            for (i, f) in work.enumerated() {
                let t0 = clock()
                f()
                best[i] = min(best[i], clock() - t0)
            }
            rounds += 1
        }
        return Measurement(geometry: g, layers: layers, convForward: best[0], convBackward: best[2],
                           sgemmForward: best[1], sgemmBackward: best[3])
    }

    /// Measures every distinct convolution of a UNet configuration, reporting each row as it is done.
    public func run(_ config: TrainBenchmark.Config, report: (String) -> Void = { _ in }) -> ConfigResult {
        let shapes = config.convolutions
        report(Self.header(config, shapes))
        var result = ConfigResult(config: config, measurements: [])
        for (g, layers) in shapes.distinct {
            let m = measure(g, layers: layers)
            result.measurements.append(m)
            report(Self.row(m))
        }
        report(Self.footer(result))
        return result
    }

    /// The process's CPU clock (`processCPUSeconds`) or the monotonic wall clock (`monotonicSeconds`).
    public static func clock(cpuTime: Bool) -> () -> Double { cpuTime ? processCPUSeconds : monotonicSeconds }

    /// CPU time of the process (all threads), in seconds: a second clock for benchmarks, which
    /// counts work rather than elapsed time on a shared machine.
    public static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    static func header(_ config: TrainBenchmark.Config, _ shapes: UNetConvolutions) -> String {
        let title = "\(config.name): \(config.unet.inChannels)x\(config.imageSize)x\(config.imageSize), channels \(config.unet.channelsPerDepth), batch \(config.batch); "
            + "\(shapes.layers.count) convolutions, \(String(format: "%.2f", shapes.forwardFlopsPerImage / 1e9)) GFLOP/img forward"
        let columns = pad("conv (BxCinxHxW k s)", 24) + pad("Cout", 6, right: true) + "  " + pad("GEMM MxNxK", 17)
            + ["fwd", "sgemm", "ratio", "bwd", "sgemm", "ratio"].map { pad($0, 8, right: true) }.joined() + "  layers"
        return title + "\n" + columns + "   (GFLOP/s)"
    }

    static func row(_ m: Measurement) -> String {
        let g = m.geometry
        let conv = "\(g.batch)x\(g.inChannels)x\(g.height)x\(g.width) \(g.kernelHeight)x\(g.kernelWidth) s\(g.stride)"
        let gemm = "\(g.outChannels)x\(g.batch * g.outPixels)x\(g.patchSize)"
        let layers = m.layers.count == 1 ? m.layers[0] : "\(m.layers.count): \(m.layers[0]), ..."
        let numbers = [m.forwardGflops, m.sgemmForwardGflops, m.forwardGflops / m.sgemmForwardGflops,
                       m.backwardGflops, m.sgemmBackwardGflops, m.backwardGflops / m.sgemmBackwardGflops]
        let cells = numbers.enumerated().map { i, v in pad(String(format: i % 3 == 2 ? "%.2f" : "%.1f", v), 8, right: true) }
        return pad(conv, 24) + pad("\(g.outChannels)", 6, right: true) + "  " + pad(gemm, 17) + cells.joined() + "  " + layers
    }

    static func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - s.count))
        return right ? fill + s : s + fill
    }

    static func footer(_ r: ConfigResult) -> String {
        let t = r.totals, f = r.totalForwardFlops
        let fwd = f / t.forward / 1e9, sf = f / t.sgemmForward / 1e9
        let bwd = 2 * f / t.backward / 1e9, sb = 2 * f / t.sgemmBackward / 1e9
        let all = 3 * f / (t.forward + t.backward) / 1e9, sa = 3 * f / (t.sgemmForward + t.sgemmBackward) / 1e9
        return r.config.name + String(format: " all layers: forward %.1f GFLOP/s (sgemm %.1f, ratio %.2f), backward %.1f (sgemm %.1f, ratio %.2f), "
                      + "forward+backward %.1f (sgemm %.1f, ratio %.2f); conv time per step %.3f s",
                      fwd, sf, fwd / sf, bwd, sb, bwd / sb, all, sa, all / sa, t.forward + t.backward)
    }
}
