import CDNNL

/// One oneDNN convolution primitive for one shape and pass, with everything it needs to run
/// on plain NCHW / OIHW buffers: for each operand whose layout the primitive chose differently
/// (`format_tag_any`), a reorder to or from the caller's buffer; a scratchpad
/// (`dnnl_scratchpad_mode_user`) and a stream. The blocked copies and the scratchpad are taken
/// from the `BufferPool` for the length of one call, like any intermediate tensor, so cached
/// plans hold no activation memory. Used by one thread at a time (`OneDNNConv` keeps one plan
/// per worker).
///
/// In bf16 (`precision`), the primitive takes bf16 sources, weights and output gradients and
/// gives fp32 outputs (oneDNN accumulates in fp32): the weights arrive as bf16 (converted
/// once per step, `BF16WeightCache`), the other inputs as fp32, which the input reorders convert.
final class OneDNNConvPlan {
    /// The operands, by oneDNN execution argument.
    enum Operand: Hashable {
        case src, weights, bias, dst, diffSrc, diffWeights, diffDst

        var argument: Int32 {
            switch self {
            case .src: return DNNL_ARG_SRC
            case .weights: return DNNL_ARG_WEIGHTS
            case .bias: return DNNL_ARG_BIAS
            case .dst: return DNNL_ARG_DST
            case .diffSrc: return DNNL_ARG_DIFF_SRC
            case .diffWeights: return DNNL_ARG_DIFF_WEIGHTS
            case .diffDst: return DNNL_ARG_DIFF_DST
            }
        }

        var query: dnnl_query_t {
            switch self {
            case .src: return dnnl_query_src_md
            case .weights: return dnnl_query_weights_md
            case .bias: return dnnl_query_weights_md   // bias is weights index 1
            case .dst: return dnnl_query_dst_md
            case .diffSrc: return dnnl_query_diff_src_md
            case .diffWeights: return dnnl_query_diff_weights_md
            case .diffDst: return dnnl_query_diff_dst_md
            }
        }

        var isOutput: Bool { self == .dst || self == .diffSrc || self == .diffWeights }
    }

    /// An operand: the caller's plain buffer (`user`, its data handle set per call) and, when
    /// the primitive wants another layout, an internal buffer and the reorder between them.
    private struct Port {
        var operand: Operand
        var user: dnnl_memory_t
        var inner: dnnl_memory_t?
        var innerFloats = 0
        var reorder: dnnl_primitive_t?
        var primitiveMemory: dnnl_memory_t { inner ?? user }
    }

    private let primitive: dnnl_primitive_t
    private let stream: dnnl_stream_t
    private var ports: [Port] = []
    private var scratchpad: dnnl_memory_t?
    private var scratchpadFloats = 0
    private let descriptors: [dnnl_primitive_desc_t]
    /// oneDNN's name for the implementation it chose, e.g. "jit:avx2".
    let implementation: String

    /// Builds the primitive for `g` and `pass`; nil when oneDNN has none (or any call fails;
    /// in bf16 on a CPU without bf16 instructions, oneDNN 2.6 has none).
    ///
    /// oneDNN fixes a primitive's thread count when it builds it: its jit kernels and reorders
    /// divide their work over the creating thread's `omp_get_max_threads()` and later run that
    /// many OpenMP threads whatever the executing thread's setting. A plan runs on one worker
    /// (`OneDNNConv` splits the batch over the workers), so it is built with one thread: built
    /// on a thread left at OpenMP's default (one per CPU), each plan ran a team of OpenMP
    /// threads that spun beside the workers (a resumed 2-rank mnist run: 33 img/s against 53).
    init?(_ g: Conv2dGeometry, _ pass: ConvPass, precision: Precision = .fp32, engine: OneDNNEngine) {
        omp_set_num_threads(1)
        let e = engine.engine
        let src = g.inputShape, weights = g.weightShape, dst = g.outputShape
        let strides: [Int64] = [Int64(g.stride), Int64(g.stride)]
        let pad: [Int64] = [Int64(g.padding), Int64(g.padding)]
        // Inputs in bf16 when asked, outputs (y, dx, dW) always fp32.
        let low = precision == .bf16 ? dnnl_bf16 : dnnl_f32
        var anySrc = Self.descriptor(src, dnnl_format_tag_any, pass == .inputGradient ? dnnl_f32 : low)
        var anyWeights = Self.descriptor(weights, dnnl_format_tag_any, pass == .weightGradient ? dnnl_f32 : low)
        var anyDst = Self.descriptor(dst, dnnl_format_tag_any, pass == .forward ? dnnl_f32 : low)
        var plainBias = Self.descriptor([g.outChannels], dnnl_x)
        // The backward passes' forward hint: the forward of the same types.
        var hintSrc = Self.descriptor(src, dnnl_format_tag_any, low)
        var hintWeights = Self.descriptor(weights, dnnl_format_tag_any, low)
        var hintDst = Self.descriptor(dst, dnnl_format_tag_any, low)

        var attr: dnnl_primitive_attr_t?
        guard dnnl_primitive_attr_create(&attr) == dnnl_success, let attr else { return nil }
        defer { dnnl_primitive_attr_destroy(attr) }
        guard dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user) == dnnl_success else { return nil }

        // The forward descriptor (also the hint the backward passes need).
        var forwardDesc = dnnl_convolution_desc_t()
        let forwardStatus = pass == .forward
            ? dnnl_convolution_forward_desc_init(&forwardDesc, dnnl_forward_training, dnnl_convolution_direct,
                                                 &anySrc, &anyWeights, &plainBias, &anyDst, strides, pad, pad)
            : dnnl_convolution_forward_desc_init(&forwardDesc, dnnl_forward_training, dnnl_convolution_direct,
                                                 &hintSrc, &hintWeights, nil, &hintDst, strides, pad, pad)
        guard forwardStatus == dnnl_success else { return nil }
        var forwardPD: dnnl_primitive_desc_t?
        guard dnnl_primitive_desc_create(&forwardPD, &forwardDesc, pass == .forward ? attr : nil, e, nil) == dnnl_success,
              let forwardPD else { return nil }
        var made = [forwardPD]

        let pd: dnnl_primitive_desc_t
        let operands: [(Operand, [Int], dnnl_format_tag_t)]
        switch pass {
        case .forward:
            pd = forwardPD
            operands = [(.src, src, dnnl_nchw), (.weights, weights, dnnl_oihw), (.bias, [g.outChannels], dnnl_x), (.dst, dst, dnnl_nchw)]
        case .inputGradient, .weightGradient:
            var desc = dnnl_convolution_desc_t()
            let status = pass == .inputGradient
                ? dnnl_convolution_backward_data_desc_init(&desc, dnnl_convolution_direct, &anySrc, &anyWeights, &anyDst,
                                                           strides, pad, pad)
                : dnnl_convolution_backward_weights_desc_init(&desc, dnnl_convolution_direct, &anySrc, &anyWeights, nil, &anyDst,
                                                              strides, pad, pad)
            var backward: dnnl_primitive_desc_t?
            guard status == dnnl_success, dnnl_primitive_desc_create(&backward, &desc, attr, e, forwardPD) == dnnl_success,
                  let backward else {
                Self.destroy(made)
                return nil
            }
            pd = backward
            made.append(backward)
            operands = pass == .inputGradient
                ? [(.diffDst, dst, dnnl_nchw), (.weights, weights, dnnl_oihw), (.diffSrc, src, dnnl_nchw)]
                : [(.src, src, dnnl_nchw), (.diffDst, dst, dnnl_nchw), (.diffWeights, weights, dnnl_oihw)]
        }
        var info: UnsafePointer<CChar>?
        dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &info)

        var prim: dnnl_primitive_t?
        var str: dnnl_stream_t?
        guard dnnl_primitive_create(&prim, pd) == dnnl_success, let prim,
              dnnl_stream_create(&str, e, dnnl_stream_default_flags.rawValue) == dnnl_success, let str else {
            Self.destroy(made)
            return nil
        }
        implementation = info.map { String(cString: $0) } ?? "unknown"
        primitive = prim
        stream = str
        descriptors = made

        for (operand, dims, tag) in operands {
            // The caller's buffers are fp32, except the weights in bf16 (`BF16WeightCache.bits`).
            var plain = Self.descriptor(dims, tag, operand == .weights ? low : dnnl_f32)
            let index: Int32 = operand == .bias ? 1 : 0
            guard let chosen = dnnl_primitive_desc_query_md(pd, operand.query, index),
                  let user = Self.memory(&plain, e, handle: nil) else { return nil }
            var port = Port(operand: operand, user: user)
            if dnnl_memory_desc_equal(&plain, chosen) == 0 {
                var from = operand.isOutput ? chosen.pointee : plain
                var to = operand.isOutput ? plain : chosen.pointee
                var reorderPD: dnnl_primitive_desc_t?
                var reorder: dnnl_primitive_t?
                guard let inner = Self.memory(chosen, e, handle: nil),
                      dnnl_reorder_primitive_desc_create(&reorderPD, &from, e, &to, e, nil) == dnnl_success, let reorderPD else { return nil }
                defer { dnnl_primitive_desc_destroy(reorderPD) }
                guard dnnl_primitive_create(&reorder, reorderPD) == dnnl_success else { return nil }
                port.inner = inner
                port.innerFloats = Self.floats(chosen)
                port.reorder = reorder
            }
            ports.append(port)
        }
        if let md = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0), dnnl_memory_desc_get_size(md) > 0 {
            guard let pad = Self.memory(md, e, handle: nil) else { return nil }
            scratchpad = pad
            scratchpadFloats = Self.floats(md)
        }
    }

    deinit {
        for port in ports {
            dnnl_memory_destroy(port.user)
            if let inner = port.inner { dnnl_memory_destroy(inner) }
            if let reorder = port.reorder { dnnl_primitive_destroy(reorder) }
        }
        if let scratchpad { dnnl_memory_destroy(scratchpad) }
        dnnl_primitive_destroy(primitive)
        dnnl_stream_destroy(stream)
        Self.destroy(descriptors)
    }

    /// Runs the pass on the caller's buffers (plain layouts): reorders the inputs in, executes
    /// the primitive, reorders the outputs out, and waits.
    func execute(_ buffers: [Operand: UnsafeMutableRawPointer]) {
        // Blocked copies and scratchpad from the pool, alive until the end of the call.
        var borrowed: [TensorStorage] = []
        func lend(_ memory: dnnl_memory_t, floats: Int) {
            let storage = TensorStorage(count: floats, zeroed: false)
            borrowed.append(storage)
            Self.check(dnnl_memory_set_data_handle(memory, storage.pointer), "set a workspace")
        }
        for port in ports { if let inner = port.inner { lend(inner, floats: port.innerFloats) } }
        if let scratchpad { lend(scratchpad, floats: scratchpadFloats) }
        defer { withExtendedLifetime(borrowed) {} }
        for port in ports {
            guard let pointer = buffers[port.operand] else {
                preconditionFailure("oneDNN convolution: no buffer for \(port.operand)")
            }
            Self.check(dnnl_memory_set_data_handle(port.user, pointer), "set a buffer")
        }
        for port in ports where !port.operand.isOutput {
            if let reorder = port.reorder { Self.reorder(reorder, from: port.user, to: port.inner!, stream) }
        }
        var args = ports.map { dnnl_exec_arg_t(arg: $0.operand.argument, memory: $0.primitiveMemory) }
        if let scratchpad { args.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: scratchpad)) }
        Self.check(dnnl_primitive_execute(primitive, stream, Int32(args.count), args), "execute the convolution")
        for port in ports where port.operand.isOutput {
            if let reorder = port.reorder { Self.reorder(reorder, from: port.inner!, to: port.user, stream) }
        }
        Self.check(dnnl_stream_wait(stream), "wait for the stream")
    }

    private static func reorder(_ reorder: dnnl_primitive_t, from: dnnl_memory_t, to: dnnl_memory_t, _ stream: dnnl_stream_t) {
        let args = [dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: from), dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: to)]
        check(dnnl_primitive_execute(reorder, stream, 2, args), "reorder an operand")
    }

    private static func check(_ status: dnnl_status_t, _ what: String) {
        precondition(status == dnnl_success, "oneDNN failed to \(what) (status \(status.rawValue))")
    }

    private static func descriptor(_ dims: [Int], _ tag: dnnl_format_tag_t,
                                   _ type: dnnl_data_type_t = dnnl_f32) -> dnnl_memory_desc_t {
        var md = dnnl_memory_desc_t()
        let d = dims.map(Int64.init)
        check(dnnl_memory_desc_init_by_tag(&md, Int32(d.count), d, type, tag), "describe a \(dims) buffer")
        return md
    }

    private static func memory(_ md: UnsafePointer<dnnl_memory_desc_t>, _ engine: dnnl_engine_t,
                               handle: UnsafeMutableRawPointer?) -> dnnl_memory_t? {
        var m: dnnl_memory_t?
        guard dnnl_memory_create(&m, md, engine, handle) == dnnl_success else { return nil }
        return m
    }

    /// A buffer's size in floats (rounded up).
    private static func floats(_ md: UnsafePointer<dnnl_memory_desc_t>) -> Int {
        (dnnl_memory_desc_get_size(md) + 3) / 4
    }

    private static func destroy(_ descriptors: [dnnl_primitive_desc_t]) {
        for d in descriptors { dnnl_primitive_desc_destroy(d) }
    }
}
