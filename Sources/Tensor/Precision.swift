import Foundation

/// The arithmetic precision requested for a run (`train.precision`, `--precision`).
///
/// `bf16` is mixed precision as `torch.autocast("cpu", dtype=torch.bfloat16)` splits it
/// (Micikevicius et al. 2018, "Mixed Precision Training"; Kalamkar et al. 2019 for bf16):
/// convolutions and matrix products take bf16 operands and accumulate and return fp32; master
/// weights, optimizer state, normalisation statistics, softmax, the loss and the gradient
/// allreduce stay fp32.
public enum Precision: String, CaseIterable, Sendable {
    case fp32, bf16
}

/// How convolutions and matrix products treat their operands in this process
/// (`MixedPrecision.mode`).
public enum PrecisionMode: String, Sendable {
    /// Float32 operands and arithmetic.
    case fp32
    /// oneDNN's bf16 primitives (AVX512_BF16 / AMX-BF16): operands converted to bf16,
    /// fp32 accumulation and output.
    case bf16
    /// bf16 numerics on any CPU (`DIFFUSE_BF16=emulate`, a testing tool): operands rounded to
    /// bf16 (`BFloat16.rounded`), then the fp32 kernels, which accumulate in fp32. Products of
    /// two bf16 values are exact in fp32, so this matches the bf16 kernels up to summation order.
    case bf16Emulated = "bf16-emulated"
}

/// The process-wide precision of convolutions and matrix products, and the choice of it.
public enum MixedPrecision {
    nonisolated(unsafe) private static var current: PrecisionMode = .fp32

    /// The mode the kernels run in (fp32 unless `activate` or `set` chose otherwise).
    public static var mode: PrecisionMode { current }

    /// Sets the mode directly (tests; runs use `activate`).
    public static func set(_ mode: PrecisionMode) { current = mode }

    /// A resolved request: the mode to run and, when it differs from the request, the one-line
    /// notice saying why.
    public struct Resolution: Equatable, Sendable {
        public var mode: PrecisionMode
        public var notice: String?

        public init(mode: PrecisionMode, notice: String?) {
            self.mode = mode
            self.notice = notice
        }
    }

    /// The mode for `requested` on this machine: bf16 only where the CPU has AVX512_BF16 or
    /// AMX-BF16 and oneDNN builds its bf16 primitives, else fp32 with a notice;
    /// `DIFFUSE_BF16=emulate` makes a bf16 request emulated on any CPU. Throws a one-line
    /// error for any other value of `DIFFUSE_BF16`.
    public static func resolve(_ requested: Precision,
                               environment: [String: String] = ProcessInfo.processInfo.environment,
                               cpuHasBF16: Bool = CPUFeatures.bf16,
                               oneDNNHasBF16: () -> Bool = { OneDNNBF16.available }) throws -> Resolution {
        let setting = environment["DIFFUSE_BF16"] ?? ""
        guard ["", "emulate"].contains(setting) else {
            throw PrecisionError("DIFFUSE_BF16=\(setting) is not understood (only DIFFUSE_BF16=emulate, or unset)")
        }
        guard requested == .bf16 else { return Resolution(mode: .fp32, notice: nil) }
        if setting == "emulate" {
            return Resolution(mode: .bf16Emulated,
                              notice: "precision bf16 emulated (DIFFUSE_BF16=emulate): operands rounded to bf16, fp32 kernels")
        }
        if !cpuHasBF16 {
            return Resolution(mode: .fp32, notice: "precision bf16 requested, but this CPU (\(CPUFeatures.summary)) has no "
                                  + "avx512_bf16/amx_bf16: running in fp32")
        }
        if !oneDNNHasBF16() {
            return Resolution(mode: .fp32, notice: "precision bf16 requested, but oneDNN \(OneDNNConv.version) builds no bf16 "
                                  + "convolution/matmul on this CPU (\(CPUFeatures.summary)): running in fp32")
        }
        return Resolution(mode: .bf16, notice: nil)
    }

    /// Resolves `requested`, makes it the process's mode, passes the notice (if any) to
    /// `report` and returns the mode.
    @discardableResult
    public static func activate(_ requested: Precision, report: (String) -> Void) throws -> PrecisionMode {
        let r = try resolve(requested)
        set(r.mode)
        if let notice = r.notice { report(notice) }
        return r.mode
    }

    /// A convolution or matrix-product operand as the emulation wants it: rounded to bf16
    /// (a weight, i.e. a view of the versioned parameter buffer, once per step through
    /// `BF16WeightCache`); as it is in the other modes (oneDNN's bf16 path converts itself).
    @inline(__always)
    static func operand(_ t: Tensor) -> Tensor {
        current == .bf16Emulated ? BF16WeightCache.shared.rounded(t) : t
    }
}

/// A bad precision setting.
public struct PrecisionError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
