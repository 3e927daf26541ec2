import CKernels
import Foundation

/// Instruction-set features, read once at start-up.
public enum CPUFeatures {
    /// The level of `CKernels`' vector kernels used (`SIMDLevel.choose` on this CPU and the
    /// environment's `DIFFUSE_NO_AVX2` and `DIFFUSE_NO_AVX512`).
    public static let simd: SIMDLevel = .choose(avx512Supported: avx512Supported, avx2Supported: avx2Supported,
                                                environment: ProcessInfo.processInfo.environment)

    /// Whether `CKernels`' vector kernels are used at all (`simd` is not `portable`;
    /// `DIFFUSE_NO_AVX2=1` selects the portable loops, e.g. to compare).
    public static let avx2: Bool = simd != .portable

    /// Whether the CPU supports the AVX2 + FMA kernels, whatever `DIFFUSE_NO_AVX2` says (tests
    /// compare both paths where they can).
    public static let avx2Supported: Bool = diffuse_cpu_has_avx2_fma() != 0

    /// Whether the CPU supports AVX-512F and the OS saves its state, whatever `DIFFUSE_NO_AVX512` says.
    public static let avx512Supported: Bool = diffuse_cpu_has_avx512f() != 0

    /// AVX512_BF16 (CPUID leaf 7 subleaf 1, EAX bit 5), with AVX-512 enabled by the OS (XCR0).
    public static let avx512BF16: Bool = diffuse_cpu_bf16_flags() & 1 != 0

    /// AMX-BF16 (CPUID leaf 7 subleaf 0, EDX bit 22), with the tile state enabled by the OS (XCR0).
    public static let amxBF16: Bool = diffuse_cpu_bf16_flags() & 2 != 0

    /// Whether the CPU has bf16 dot-product instructions (AVX512_BF16 or AMX-BF16), the ones
    /// oneDNN's bf16 kernels need.
    public static var bf16: Bool { avx512BF16 || amxBF16 }
}

extension CPUFeatures {
    /// The instruction-set extensions that decide which kernels are fast, in the order printed.
    public static let reportedFlags = ["avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_tile"]

    /// The CPU for benchmark headers: `/proc/cpuinfo`'s model name and which of
    /// `reportedFlags` it has, e.g. "AMD EPYC [avx2 fma; no avx512f ...]".
    public static var summary: String {
        let (model, flags) = KernelCache.cpuModelAndFlags()
        let have = Set(flags.split(separator: " ").map(String.init))
        let yes = reportedFlags.filter(have.contains), no = reportedFlags.filter { !have.contains($0) }
        return "\(model) [\(yes.joined(separator: " "))\(no.isEmpty ? "" : "; no " + no.joined(separator: " "))]"
    }
}
