import Foundation

/// Chooses each convolution's algorithm by measurement, per shape and per pass, as
/// `torch.backends.cudnn.benchmark` does: on first use of a (pass, geometry) it times every
/// `ConvAlgorithm.candidates` on random operands of that shape and keeps the fastest; the rule
/// of earlier versions (`ConvAlgorithm.rule`) stays unless a candidate beats it by more than
/// `margin`, so tuning can only make a pass faster. Decisions are kept in a `KernelCache` file
/// keyed by the machine (`KernelCache.signature`), so a second run starts at full speed.
///
/// `DIFFUSE_KERNELS` sets the mode: `auto` (the default: measure), `rule` (the fixed rule, no
/// measurement), or `im2col`, `winograd`, `onednn` to force one algorithm wherever it applies
/// (the rule's choice elsewhere). Under MPI, rank 0 decides and the trainer hands its decisions
/// to the other ranks (`decisions` / `adopt`), so every rank runs the same algorithms.
///
/// In bf16 (`MixedPrecision.mode == .bf16`) the candidates are oneDNN's bf16 primitives wherever
/// they apply, for every shape (small ones too, unmeasured, so the whole model computes in
/// bf16), and the decisions are kept apart from fp32's (keys start with `bf16`). The bf16
/// emulation runs the fp32 kernels on rounded operands, so it shares fp32's decisions.
public final class ConvAutotuner: @unchecked Sendable {
    public enum Mode: String, CaseIterable, Sendable {
        case auto, rule, im2col, winograd, onednn
    }

    /// How a decision was reached.
    public enum Source: String, Sendable {
        case measured, cache, adopted, forced, rule, small
    }

    /// One decision, with the candidates' best times (seconds) when it was measured in this process.
    public struct Decision: Sendable {
        public var algorithm: ConvAlgorithm
        public var source: Source
        public var timings: [(algorithm: ConvAlgorithm, seconds: Double)]
    }

    /// The process-wide tuner (mode from `DIFFUSE_KERNELS`, cache from `KernelCache.defaultPath`).
    public static let shared: ConvAutotuner = {
        let environment = ProcessInfo.processInfo.environment
        let value = environment["DIFFUSE_KERNELS"] ?? ""
        guard let mode = value.isEmpty ? .auto : Mode(rawValue: value) else {
            FileHandle.standardError.write(Data("diffuse: DIFFUSE_KERNELS=\(value) is not one of \(Mode.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
            exit(2)
        }
        return ConvAutotuner(mode: mode, cache: KernelCache(path: KernelCache.defaultPath(environment: environment)))
    }()

    public let mode: Mode
    public let cache: KernelCache?
    /// Convolutions with fewer multiply-adds than this run the rule unmeasured: they take well
    /// under a millisecond, and timing them would cost more than any choice could save.
    public var minMeasuredMultiplyAdds = 1 << 22
    /// A candidate replaces the rule's choice only when at least this much faster (0.03: 3%),
    /// so that noise does not swap algorithms.
    public var margin = 0.03
    /// Timed rounds per candidate (after one warm-up call); candidates more than `dropFactor`
    /// times slower than the best after the first round are not timed again.
    public var rounds = 3
    public var dropFactor = 1.5
    /// Called with a line when a shape is measured (the trainer logs it); nil is silent.
    public var report: ((String) -> Void)?

    private let lock = NSLock()
    private var table: [String: Decision] = [:]
    private var cached: [String: String]?

    public init(mode: Mode, cache: KernelCache?) {
        self.mode = mode
        self.cache = cache
    }

    /// The algorithm for `pass` of `g`: decided before, or decided now (by `mode`).
    public func algorithm(_ g: Conv2dGeometry, _ pass: ConvPass) -> ConvAlgorithm {
        decision(g, pass).algorithm
    }

    /// The decision for `pass` of `g`, making it if needed.
    public func decision(_ g: Conv2dGeometry, _ pass: ConvPass) -> Decision {
        let key = Self.key(g, pass)
        lock.lock()
        defer { lock.unlock() }
        if let d = table[key] { return d }
        let d = decide(g, pass, key: key)
        table[key] = d
        return d
    }

    private func decide(_ g: Conv2dGeometry, _ pass: ConvPass, key: String) -> Decision {
        let rule = ConvAlgorithm.rule(g, pass)
        // bf16: small shapes and forced modes take oneDNN's bf16 primitive unmeasured; the
        // others measure it (`ConvAlgorithm.candidates`) and cache it under their bf16 key.
        if MixedPrecision.mode == .bf16 && mode != .rule && (mode != .auto || g.forwardFlops / 2 < Double(minMeasuredMultiplyAdds)),
           ConvAlgorithm.onednnBF16.applies(to: g, pass) {
            return Decision(algorithm: .onednnBF16, source: mode == .auto ? .small : .forced, timings: [])
        }
        switch mode {
        case .rule: return Decision(algorithm: rule, source: .rule, timings: [])
        case .im2col: return Decision(algorithm: .im2col(samplesPerGemm: nil), source: .forced, timings: [])
        case .winograd, .onednn:
            let forced: ConvAlgorithm = mode == .winograd ? .winograd : .onednn
            return forced.applies(to: g, pass) ? Decision(algorithm: forced, source: .forced, timings: [])
                : Decision(algorithm: rule, source: .rule, timings: [])
        case .auto:
            if g.forwardFlops / 2 < Double(minMeasuredMultiplyAdds) { return Decision(algorithm: rule, source: .small, timings: []) }
            if cached == nil { cached = cache?.load() ?? [:] }
            if let name = cached?[key], let a = ConvAlgorithm(name), a.applies(to: g, pass) {
                return Decision(algorithm: a, source: .cache, timings: [])
            }
            let timings = Self.measure(g, pass, candidates: ConvAlgorithm.candidates(g, pass), rounds: rounds, dropFactor: dropFactor)
            let chosen = Self.fastest(timings, margin: margin)
            cached?[key] = chosen.description
            cache?.store([key: chosen.description])
            report?(Self.line(g, pass, timings: timings, chosen: chosen))
            return Decision(algorithm: chosen, source: .measured, timings: timings)
        }
    }

    /// The fastest of `timings`, unless the first (the rule's choice) is within `margin` of it.
    public static func fastest(_ timings: [(algorithm: ConvAlgorithm, seconds: Double)], margin: Double) -> ConvAlgorithm {
        guard let first = timings.first else { return .im2col(samplesPerGemm: nil) }
        let best = timings.min { $0.seconds < $1.seconds }!
        return best.seconds < first.seconds * (1 - margin) ? best.algorithm : first.algorithm
    }

    /// Times `candidates` on random operands of `g`: one warm-up call each (which also builds
    /// oneDNN's primitives), then `rounds` interleaved rounds, keeping each one's best time.
    public static func measure(_ g: Conv2dGeometry, _ pass: ConvPass, candidates: [ConvAlgorithm],
                               rounds: Int = 3, dropFactor: Double = .infinity) -> [(algorithm: ConvAlgorithm, seconds: Double)] {
        // Operands with a cheap pattern (the kernels' times do not depend on the values; the
        // pattern keeps them normal floats, away from denormals).
        func filled(_ shape: [Int], _ stream: UInt32) -> Tensor {
            let t = Tensor(uninitialized: shape)
            let p = t.pointer
            for i in 0..<t.count { p[i] = Float((i &+ Int(stream)) % 13) * 0.125 - 0.75 }
            return t
        }
        let x = filled(g.inputShape, 1), w = filled(g.weightShape, 2), bias = filled([g.outChannels], 3)
        let dy = filled(g.outputShape, 4)
        func call(_ a: ConvAlgorithm) {
            switch pass {
            case .forward: _ = Conv2dKernel.forward(x, weight: w, bias: bias, geometry: g, algorithm: a)
            case .inputGradient: _ = Conv2dKernel.inputGradient(dy, input: x, weight: w, geometry: g, algorithm: a)
            case .weightGradient: _ = Conv2dKernel.weightGradient(dy, input: x, weight: w, geometry: g, algorithm: a)
            }
        }
        var best = [Double](repeating: .infinity, count: candidates.count)
        for a in candidates { call(a) }
        for round in 0..<max(1, rounds) {
            let fastest = best.min() ?? .infinity
            for (i, a) in candidates.enumerated() where round == 0 || best[i] <= fastest * dropFactor {
                let t0 = monotonicSeconds()
                call(a)
                best[i] = min(best[i], monotonicSeconds() - t0)
            }
        }
        return zip(candidates, best).map { (algorithm: $0, seconds: $1) }
    }

    /// Every decision made or adopted so far, by key, as algorithm names (for broadcasting).
    public func decisions() -> [String: String] {
        lock.lock()
        defer { lock.unlock() }
        return table.mapValues { $0.algorithm.description }
    }

    /// Takes decisions made elsewhere (rank 0's); unknown names and algorithms that do not
    /// apply here are ignored, and those shapes are decided locally on first use.
    public func adopt(_ decisions: [String: String]) {
        lock.lock()
        defer { lock.unlock() }
        for (key, name) in decisions {
            guard let a = ConvAlgorithm(name) else { continue }
            table[key] = Decision(algorithm: a, source: .adopted, timings: [])
        }
    }

    /// Decides every pass of every geometry now (rank 0 before training, so that the first
    /// step does not pay for timing and the decisions can be handed to the other ranks).
    /// Returns how many were measured now and how many came from the cache.
    @discardableResult
    public func prepare(_ geometries: [Conv2dGeometry], passes: [ConvPass] = ConvPass.allCases) -> (measured: Int, cached: Int) {
        var counts = (measured: 0, cached: 0)
        for g in geometries {
            for pass in passes {
                switch decision(g, pass).source {
                case .measured: counts.measured += 1
                case .cache: counts.cached += 1
                default: break
                }
            }
        }
        return counts
    }

    /// The cache and table key of a pass of a geometry, e.g. `forward 64x32x28x28 k3x3 s1 p1 o32`.
    public static func key(_ g: Conv2dGeometry, _ pass: ConvPass,
                           precision: Precision = MixedPrecision.mode == .bf16 ? .bf16 : .fp32) -> String {
        (precision == .bf16 ? "bf16 " : "") + "\(pass.rawValue) \(g.batch)x\(g.inChannels)x\(g.height)x\(g.width) k\(g.kernelHeight)x\(g.kernelWidth) s\(g.stride) p\(g.padding) o\(g.outChannels)"
    }

    /// One line per measured shape: each candidate's time and the choice.
    public static func line(_ g: Conv2dGeometry, _ pass: ConvPass,
                            timings: [(algorithm: ConvAlgorithm, seconds: Double)], chosen: ConvAlgorithm) -> String {
        let times = timings.map { "\($0.algorithm) \(String(format: "%.2f", $0.seconds * 1e3)) ms" }.joined(separator: ", ")
        return "\(key(g, pass)): \(times) -> \(chosen)"
    }
}
