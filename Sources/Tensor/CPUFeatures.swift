import CKernels
import Foundation

/// Instruction-set features, read once at start-up.
public enum CPUFeatures {
    /// Whether the AVX2 + FMA kernels of `CKernels` are used: the CPU (and OS) support them
    /// and `DIFFUSE_NO_AVX2` is unset, empty or 0 (`DIFFUSE_NO_AVX2=1` selects the portable
    /// Swift loops, e.g. to compare).
    public static let avx2: Bool = avx2Supported
        && ["", "0"].contains(ProcessInfo.processInfo.environment["DIFFUSE_NO_AVX2"] ?? "")

    /// Whether the CPU supports the AVX2 + FMA kernels, whatever `DIFFUSE_NO_AVX2` says (tests
    /// compare both paths where they can).
    public static let avx2Supported: Bool = diffuse_cpu_has_avx2_fma() != 0
}
