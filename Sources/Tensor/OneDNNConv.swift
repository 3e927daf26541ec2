import CDNNL
import Dispatch
import Foundation

/// 2-D convolution by oneDNN's primitives (Intel's deep-learning kernel library, the one
/// behind PyTorch's CPU convolutions; Debian's `libdnnl-dev`), fp32:
///
///     forward         y  = conv(x, W) + b
///     input gradient  dx = conv_transpose(dy, W)          (oneDNN "backward data")
///     weight gradient dW = sum_b corr(x[b], dy[b])         (oneDNN "backward weights")
///
/// Tensors stay NCHW / OIHW between operations: each call reorders its operands into the
/// blocked layouts the primitive chose (`format_tag_any`, e.g. `nChw8c` on AVX2) and the result
/// back. Primitives, reorders, blocked buffers and scratchpads are built once per shape and
/// pass (`OneDNNConvPlan`) and kept for the life of the process.
///
/// Threads: the batch is split into a few contiguous chunks per worker (`chunks`), each run by
/// its own plan with one OpenMP thread on a Dispatch worker, as `Conv2dKernel` hands runs of
/// samples to its workers; the weight gradient sums the chunks' partial `dW` in chunk order.
/// On one thread the batch is one chunk.
///
/// `precision: .bf16` runs oneDNN's bf16 primitives (AVX512_BF16 / AMX-BF16 kernels): bf16
/// inputs (the weights converted once per step by `BF16WeightCache`), fp32 accumulation and
/// outputs. oneDNN 2.6.3 builds none on CPUs without bf16 instructions (measured on an AMD
/// EPYC with AVX2: `dnnl_unimplemented` for all three passes and for matmul), so `supports`
/// is false there and `MixedPrecision.resolve` falls back to fp32.
public enum OneDNNConv {
    /// Whether oneDNN's CPU engine could be created (the library is linked; this is false only
    /// on a broken installation).
    public static var available: Bool { OneDNNEngine.shared != nil }

    /// oneDNN's version, e.g. "2.6.3".
    public static var version: String {
        guard let v = dnnl_version()?.pointee else { return "unknown" }
        return "\(v.major).\(v.minor).\(v.patch)"
    }

    /// Whether oneDNN has a primitive for this geometry, pass and precision (builds and caches the plans).
    public static func supports(_ g: Conv2dGeometry, _ pass: ConvPass, precision: Precision = .fp32) -> Bool {
        chunks(g).allSatisfy { plan(g.withBatch($0.count), pass, slot: 0, precision: precision) != nil }
    }

    /// The weights as the primitive takes them: fp32 as they are, bf16 through the cache.
    private static func weights(_ w: Tensor, _ precision: Precision) -> Tensor {
        precision == .bf16 ? BF16WeightCache.shared.bits(w) : w
    }

    /// `conv2d(x, weight) + bias` (see `Conv2dKernel.forward`).
    public static func forward(_ x: Tensor, weight: Tensor, bias: Tensor?, geometry g: Conv2dGeometry,
                               precision: Precision = .fp32) -> Tensor {
        let y = Tensor(uninitialized: g.outputShape)
        if g.batch == 0 || g.outPixels == 0 { return y }
        let zeroBias = bias == nil ? Tensor(zeros: [g.outChannels]) : nil
        let b = bias ?? zeroBias!
        let w = weights(weight, precision)
        let inSample = g.inChannels * g.height * g.width, outSample = g.outChannels * g.outPixels
        run(g, .forward, precision) { plan, samples, _ in
            plan.execute([
                .src: UnsafeMutableRawPointer(x.pointer + samples.lowerBound * inSample),
                .weights: UnsafeMutableRawPointer(w.pointer),
                .bias: UnsafeMutableRawPointer(b.pointer),
                .dst: UnsafeMutableRawPointer(y.pointer + samples.lowerBound * outSample),
            ])
        }
        return y
    }

    /// `dx` of `y = conv2d(x, weight)` from `dy` (`[B, Cout, Hout, Wout]`).
    public static func inputGradient(_ dy: Tensor, weight: Tensor, geometry g: Conv2dGeometry,
                                     precision: Precision = .fp32) -> Tensor {
        let dx = Tensor(uninitialized: g.inputShape)
        if g.batch == 0 || g.outPixels == 0 { dx.fill(0); return dx }
        let w = weights(weight, precision)
        let inSample = g.inChannels * g.height * g.width, outSample = g.outChannels * g.outPixels
        run(g, .inputGradient, precision) { plan, samples, _ in
            plan.execute([
                .diffDst: UnsafeMutableRawPointer(dy.pointer + samples.lowerBound * outSample),
                .weights: UnsafeMutableRawPointer(w.pointer),
                .diffSrc: UnsafeMutableRawPointer(dx.pointer + samples.lowerBound * inSample),
            ])
        }
        return dx
    }

    /// `dW` of `y = conv2d(x, weight)` from `dy`.
    public static func weightGradient(_ dy: Tensor, input x: Tensor, geometry g: Conv2dGeometry,
                                      precision: Precision = .fp32) -> Tensor {
        if g.batch == 0 || g.outPixels == 0 { return Tensor(zeros: g.weightShape) }
        let parts = chunks(g)
        let partials = parts.map { _ in Tensor(uninitialized: g.weightShape) }
        let inSample = g.inChannels * g.height * g.width, outSample = g.outChannels * g.outPixels
        run(g, .weightGradient, precision) { plan, samples, chunk in
            plan.execute([
                .src: UnsafeMutableRawPointer(x.pointer + samples.lowerBound * inSample),
                .diffDst: UnsafeMutableRawPointer(dy.pointer + samples.lowerBound * outSample),
                .diffWeights: UnsafeMutableRawPointer(partials[chunk].pointer),
            ])
        }
        for partial in partials.dropFirst() { partials[0].addInPlace(partial) }
        return partials[0]
    }

    /// The batch split: `Parallel.chunksPerWorker` contiguous chunks per worker (one chunk on one
    /// thread), as even as can be, which the workers take as they come free (`Parallel.dynamic`). It depends only on the batch and the thread count, so the
    /// weight gradient's partial sums, added in chunk order, are the same from run to run.
    static func chunks(_ g: Conv2dGeometry) -> [Range<Int>] {
        let chunks = Parallel.chunkCount(items: g.batch, workers: Parallel.threads)
        return (0..<chunks).map { Parallel.chunk($0, of: chunks, items: g.batch) }
    }

    /// Runs `body(plan, samples, chunk)` for every chunk of the batch (`chunks(g)[chunk]`), in
    /// parallel over the workers.
    private static func run(_ g: Conv2dGeometry, _ pass: ConvPass, _ precision: Precision,
                            _ body: (OneDNNConvPlan, Range<Int>, Int) -> Void) {
        let parts = chunks(g)
        let plans = parts.enumerated().map { w, samples -> OneDNNConvPlan in
            guard let p = plan(g.withBatch(samples.count), pass, slot: w, precision: precision) else {
                preconditionFailure("oneDNN has no \(precision) \(pass) convolution for \(g) (check OneDNNConv.supports first)")
            }
            return p
        }
        if parts.count == 1 {
            omp_set_num_threads(1)
            body(plans[0], parts[0], 0)
        } else {
            Parallel.dynamic(chunks: parts.count, workers: Parallel.threads) { c, _ in
                omp_set_num_threads(1)
                body(plans[c], parts[c], c)
            }
        }
    }

    private struct PlanKey: Hashable {
        var dims: [Int]
        var pass: ConvPass
        var slot: Int
        var precision: Precision
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var plans: [PlanKey: OneDNNConvPlan?] = [:]

    /// The cached plan of worker `slot` for one chunk geometry (nil when oneDNN has none).
    static func plan(_ g: Conv2dGeometry, _ pass: ConvPass, slot: Int, precision: Precision = .fp32) -> OneDNNConvPlan? {
        let key = PlanKey(dims: [g.batch, g.inChannels, g.height, g.width, g.outChannels,
                                 g.kernelHeight, g.kernelWidth, g.stride, g.padding], pass: pass, slot: slot, precision: precision)
        lock.lock()
        defer { lock.unlock() }
        if let cached = plans[key] { return cached }
        let made = OneDNNEngine.shared.flatMap { OneDNNConvPlan(g, pass, precision: precision, engine: $0) }
        plans[key] = made
        return made
    }
}

extension Conv2dGeometry {
    /// The same convolution on `batch` samples.
    func withBatch(_ batch: Int) -> Conv2dGeometry {
        var g = self
        g.batch = batch
        return g
    }
}

/// oneDNN's CPU engine, created once.
final class OneDNNEngine: @unchecked Sendable {
    let engine: dnnl_engine_t

    static let shared: OneDNNEngine? = {
        var e: dnnl_engine_t?
        guard dnnl_engine_create(&e, dnnl_cpu, 0) == dnnl_success, let e else { return nil }
        return OneDNNEngine(engine: e)
    }()

    private init(engine: dnnl_engine_t) { self.engine = engine }
}
