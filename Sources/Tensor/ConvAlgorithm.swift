/// A pass of a 2-D convolution. Each is computed by its own algorithm: the fastest for the
/// forward pass need not be the fastest for a gradient.
public enum ConvPass: String, CaseIterable, Sendable, Hashable {
    /// `y = conv(x, W) + b`.
    case forward
    /// `dx` from `dy` (the transposed convolution).
    case inputGradient = "input-gradient"
    /// `dW` from `x` and `dy`.
    case weightGradient = "weight-gradient"
}

/// How a convolution pass is computed; `ConvAutotuner` times the candidates that apply to a
/// shape and keeps the fastest (as `torch.backends.cudnn.benchmark` does).
public enum ConvAlgorithm: Hashable, Sendable, LosslessStringConvertible {
    /// im2col + OpenBLAS sgemm with `samplesPerGemm` samples side by side in one GEMM (nil:
    /// `Conv2dKernel.samplesPerGemm`). The input gradient is the flipped-kernel convolution
    /// by im2col where `Conv2dKernel.inputGradientIsConvolution`, else `col2im(W^T dY)`.
    case im2col(samplesPerGemm: Int?)
    /// Winograd F(2x2, 3x3) (`WinogradConv`): the forward pass, and the input gradient as the
    /// convolution of `dy` with the flipped kernel. No weight gradient.
    case winograd
    /// oneDNN's primitives (`OneDNNConv`): all three passes.
    case onednn
    /// oneDNN's bf16 primitives (bf16 operands, fp32 accumulation and outputs): the candidate
    /// in `PrecisionMode.bf16`, where the CPU has AVX512_BF16 or AMX-BF16.
    case onednnBF16

    /// The names `DIFFUSE_KERNELS` and the kernel cache use: `im2col`, `im2col:4` (samples
    /// per GEMM), `winograd`, `onednn`, `onednn-bf16`.
    public var description: String {
        switch self {
        case .im2col(let s): return s.map { "im2col:\($0)" } ?? "im2col"
        case .winograd: return "winograd"
        case .onednn: return "onednn"
        case .onednnBF16: return "onednn-bf16"
        }
    }

    public init?(_ description: String) {
        switch description {
        case "im2col": self = .im2col(samplesPerGemm: nil)
        case "winograd": self = .winograd
        case "onednn": self = .onednn
        case "onednn-bf16": self = .onednnBF16
        default:
            let parts = description.split(separator: ":")
            guard parts.count == 2, parts[0] == "im2col", let s = Int(parts[1]), s >= 1 else { return nil }
            self = .im2col(samplesPerGemm: s)
        }
    }

    /// Whether this algorithm can compute `pass` for `g` (oneDNN: whether it has a primitive).
    public func applies(to g: Conv2dGeometry, _ pass: ConvPass) -> Bool {
        switch self {
        case .im2col(let s): return s.map { $0 >= 1 && $0 <= max(1, g.batch) } ?? true
        case .winograd:
            switch pass {
            case .forward: return WinogradConv.canCompute(g)
            case .inputGradient: return Conv2dKernel.inputGradientIsConvolution(g) && WinogradConv.canCompute(Conv2dKernel.flippedGeometry(g))
            case .weightGradient: return false
            }
        case .onednn: return OneDNNConv.supports(g, pass)
        case .onednnBF16: return OneDNNConv.supports(g, pass, precision: .bf16)
        }
    }

    /// The fixed rule of Diffuse before kernels were chosen by measurement (its thresholds were
    /// tuned on one AMD EPYC): Winograd where `WinogradConv.applies`, else im2col with the
    /// heuristic run of samples. The autotuner keeps it unless a candidate measures faster.
    public static func rule(_ g: Conv2dGeometry, _ pass: ConvPass) -> ConvAlgorithm {
        switch pass {
        case .forward: return WinogradConv.enabled && WinogradConv.applies(g) ? .winograd : .im2col(samplesPerGemm: nil)
        case .inputGradient:
            return WinogradConv.enabled && Conv2dKernel.inputGradientIsConvolution(g)
                && WinogradConv.applies(Conv2dKernel.flippedGeometry(g))
                ? .winograd : .im2col(samplesPerGemm: nil)
        case .weightGradient: return .im2col(samplesPerGemm: nil)
        }
    }

    /// What the autotuner times for `g` and `pass`: the rule's choice first, then im2col with
    /// one sample per GEMM and with twice the heuristic's run, Winograd and oneDNN, each where
    /// it applies and differs from those before it (Winograd unless `DIFFUSE_WINOGRAD=0`).
    /// In bf16 (`precision`), oneDNN's bf16 primitive where it applies (else the fp32 ones).
    public static func candidates(_ g: Conv2dGeometry, _ pass: ConvPass,
                                  precision: Precision = MixedPrecision.mode == .bf16 ? .bf16 : .fp32) -> [ConvAlgorithm] {
        if precision == .bf16 && ConvAlgorithm.onednnBF16.applies(to: g, pass) { return [.onednnBF16] }
        let run = Conv2dKernel.samplesPerGemm(pass == .inputGradient && Conv2dKernel.inputGradientIsConvolution(g)
                                                  ? Conv2dKernel.flippedGeometry(g) : g)
        let all: [ConvAlgorithm] = [rule(g, pass), .im2col(samplesPerGemm: nil), .im2col(samplesPerGemm: 1),
                                    .im2col(samplesPerGemm: min(g.batch, 2 * run))]
            + (WinogradConv.enabled ? [.winograd] : []) + [.onednn]
        var seen: [ConvAlgorithm] = []
        for a in all where !seen.contains(where: { $0.sameWork(as: a, run: run) }) && a.applies(to: g, pass) {
            seen.append(a)
        }
        return seen
    }

    /// Whether two algorithms do the same computation (im2col with the heuristic's own run
    /// equals im2col with that run given explicitly).
    func sameWork(as other: ConvAlgorithm, run: Int) -> Bool {
        switch (self, other) {
        case (.im2col(let a), .im2col(let b)): return (a ?? run) == (b ?? run)
        default: return self == other
        }
    }
}
