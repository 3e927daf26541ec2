import CDNNL
import Foundation

/// Batched matrix product with bf16 operands by oneDNN's matmul primitive:
///
///     C[i] = op(A[i]) op(B[i]) + beta C[i]        i < batch,  op(X) = X or X^T
///
/// `A` and `B` are converted to bf16 (weights once per step, `BF16WeightCache`); oneDNN
/// accumulates in fp32 and writes fp32 `C` (the `beta` term is its "sum" post-op). Transposes
/// are strides of the operands' memory descriptors, so nothing is copied to transpose. One
/// primitive per shape, built on first use and kept; used from one thread at a time (the
/// autograd ops call it from the training thread).
///
/// oneDNN 2.6.3 has no bf16 matmul on CPUs without AVX512_BF16 / AMX-BF16 (measured on an AMD
/// EPYC with AVX2: `dnnl_unimplemented`); `product` then returns false and the caller runs fp32.
enum OneDNNMatmul {
    struct Shape: Hashable {
        var batch, m, k, n: Int
        var transposeA, transposeB: Bool
        var accumulate: Bool
    }

    /// `C = op(A) op(B) + beta C` for `[batch, ., .]` operands stored as given (2-D operands are
    /// batch 1); false (and `c` untouched) when oneDNN has no bf16 primitive for the shape.
    static func product(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool,
                        batch: Int, m: Int, k: Int, n: Int, into c: UnsafeMutablePointer<Float>, beta: Float) -> Bool {
        precondition(beta == 0 || beta == 1, "OneDNNMatmul: beta \(beta) is not 0 or 1")
        let shape = Shape(batch: batch, m: m, k: k, n: n, transposeA: transposeA, transposeB: transposeB, accumulate: beta == 1)
        guard let plan = plan(shape) else { return false }
        if batch == 0 || m == 0 || n == 0 { return true }
        let cache = BF16WeightCache.shared
        let a16 = cache.bits(a), b16 = cache.bits(b)
        omp_set_num_threads(Int32(Parallel.threads))
        plan.execute(a: a16.pointer, b: b16.pointer, c: c)
        withExtendedLifetime((a16, b16)) {}
        return true
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var plans: [Shape: MatmulPlan?] = [:]

    /// The cached primitive for `shape` (nil when oneDNN has none).
    static func plan(_ shape: Shape) -> MatmulPlan? {
        lock.lock()
        defer { lock.unlock() }
        if let cached = plans[shape] { return cached }
        let made = OneDNNEngine.shared.flatMap { MatmulPlan(shape, engine: $0) }
        plans[shape] = made
        return made
    }

    /// One bf16 matmul primitive with its memories (data handles set per call) and stream.
    final class MatmulPlan {
        private let primitive: dnnl_primitive_t
        private let stream: dnnl_stream_t
        private let memories: [dnnl_memory_t]
        private let descriptor: dnnl_primitive_desc_t

        /// Built with `Parallel.threads` OpenMP threads, the count it runs with (oneDNN fixes a
        /// primitive's thread count when it builds it; see `OneDNNConvPlan.init`).
        init?(_ s: Shape, engine: OneDNNEngine) {
            omp_set_num_threads(Int32(Parallel.threads))
            let e = engine.engine
            let (bt, m, k, n) = (Int64(s.batch), Int64(s.m), Int64(s.k), Int64(s.n))
            // Logical [batch, M, K] x [batch, K, N]; a stored transpose is a swap of strides.
            func describe(_ rows: Int64, _ cols: Int64, transposed: Bool, _ type: dnnl_data_type_t) -> dnnl_memory_desc_t? {
                var md = dnnl_memory_desc_t()
                let dims = [bt, rows, cols]
                let strides = transposed ? [rows * cols, 1, rows] : [rows * cols, cols, 1]
                return dnnl_memory_desc_init_by_strides(&md, 3, dims, type, strides) == dnnl_success ? md : nil
            }
            guard var aMD = describe(m, k, transposed: s.transposeA, dnnl_bf16),
                  var bMD = describe(k, n, transposed: s.transposeB, dnnl_bf16),
                  var cMD = describe(m, n, transposed: false, dnnl_f32) else { return nil }
            var desc = dnnl_matmul_desc_t()
            guard dnnl_matmul_desc_init(&desc, &aMD, &bMD, nil, &cMD) == dnnl_success else { return nil }
            var attr: dnnl_primitive_attr_t?
            guard dnnl_primitive_attr_create(&attr) == dnnl_success, let attr else { return nil }
            defer { dnnl_primitive_attr_destroy(attr) }
            if s.accumulate {
                var ops: dnnl_post_ops_t?
                guard dnnl_post_ops_create(&ops) == dnnl_success, let ops else { return nil }
                defer { dnnl_post_ops_destroy(ops) }
                guard dnnl_post_ops_append_sum(ops, 1) == dnnl_success,
                      dnnl_primitive_attr_set_post_ops(attr, ops) == dnnl_success else { return nil }
            }
            var pd: dnnl_primitive_desc_t?
            guard dnnl_primitive_desc_create(&pd, &desc, attr, e, nil) == dnnl_success, let pd else { return nil }
            var prim: dnnl_primitive_t?
            var str: dnnl_stream_t?
            var made: [dnnl_memory_t] = []
            for var md in [aMD, bMD, cMD] {
                var mem: dnnl_memory_t?
                guard dnnl_memory_create(&mem, &md, e, nil) == dnnl_success, let mem else { break }
                made.append(mem)
            }
            guard made.count == 3, dnnl_primitive_create(&prim, pd) == dnnl_success, let prim,
                  dnnl_stream_create(&str, e, dnnl_stream_default_flags.rawValue) == dnnl_success, let str else {
                for mem in made { dnnl_memory_destroy(mem) }
                if let prim { dnnl_primitive_destroy(prim) }
                dnnl_primitive_desc_destroy(pd)
                return nil
            }
            primitive = prim
            stream = str
            memories = made
            descriptor = pd
        }

        deinit {
            for mem in memories { dnnl_memory_destroy(mem) }
            dnnl_primitive_destroy(primitive)
            dnnl_stream_destroy(stream)
            dnnl_primitive_desc_destroy(descriptor)
        }

        func execute(a: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>) {
            for (mem, pointer) in zip(memories, [UnsafeMutableRawPointer(a), UnsafeMutableRawPointer(b), UnsafeMutableRawPointer(c)]) {
                precondition(dnnl_memory_set_data_handle(mem, pointer) == dnnl_success, "oneDNN matmul: cannot set a buffer")
            }
            let args = [dnnl_exec_arg_t(arg: DNNL_ARG_SRC, memory: memories[0]),
                        dnnl_exec_arg_t(arg: DNNL_ARG_WEIGHTS, memory: memories[1]),
                        dnnl_exec_arg_t(arg: DNNL_ARG_DST, memory: memories[2])]
            precondition(dnnl_primitive_execute(primitive, stream, 3, args) == dnnl_success, "oneDNN matmul failed")
            precondition(dnnl_stream_wait(stream) == dnnl_success, "oneDNN matmul: stream wait failed")
        }
    }
}

/// Whether oneDNN builds its bf16 primitives here (a probe: a small convolution in all three
/// passes and a matmul), once per process.
public enum OneDNNBF16 {
    public static let available: Bool = {
        let g = Conv2dGeometry(batch: 2, inChannels: 16, height: 8, width: 8, outChannels: 16,
                               kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1)
        let conv = ConvPass.allCases.allSatisfy { OneDNNConv.plan(g, $0, slot: 0, precision: .bf16) != nil }
        let matmul = OneDNNMatmul.plan(.init(batch: 1, m: 16, k: 16, n: 16, transposeA: false, transposeB: false,
                                             accumulate: false)) != nil
        return conv && matmul
    }()
}
