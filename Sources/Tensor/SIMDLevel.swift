import CKernels

/// Which of `CKernels`' vector kernels run the group-norm rows, the blocked sums and the Adam
/// update: chosen once at start-up as `CPUFeatures.simd` (AVX-512 > AVX2 > portable Swift loops)
/// and passed down, so the choice is made in one place.
public enum SIMDLevel: String, Sendable, CaseIterable, CustomStringConvertible {
    /// The portable Swift loops (no `CKernels` table).
    case portable
    /// The AVX2 + FMA intrinsic kernels, 8 lanes.
    case avx2
    /// The width-generic template at 16 lanes compiled for AVX2 + FMA: the AVX-512 kernels'
    /// logic on any AVX2 machine. Never chosen at start-up; tests run it where AVX-512 is absent.
    case width16
    /// The width-generic template at 16 lanes compiled for AVX-512F.
    case avx512

    public var description: String { rawValue }

    /// The kernels of this level, nil for `portable`.
    public var kernels: diffuse_simd_kernels? {
        switch self {
        case .portable: nil
        case .avx2: diffuse_simd_kernels_avx2
        case .width16: diffuse_simd_kernels_w16
        case .avx512: diffuse_simd_kernels_avx512
        }
    }

    /// Whether this machine can run the level's kernels.
    public var isSupported: Bool {
        switch self {
        case .portable: true
        case .avx2, .width16: CPUFeatures.avx2Supported
        case .avx512: CPUFeatures.avx512Supported
        }
    }

    /// The levels this machine can run, `portable` first (tests compare them).
    public static var supported: [SIMDLevel] { allCases.filter(\.isSupported) }

    /// The fastest level the CPU supports, unless switched off: `DIFFUSE_NO_AVX2` set to other
    /// than empty or 0 selects `portable`, `DIFFUSE_NO_AVX512` likewise at most `avx2` (to
    /// compare both on an AVX-512 machine).
    public static func choose(avx512Supported: Bool, avx2Supported: Bool, environment: [String: String]) -> SIMDLevel {
        func switchedOff(_ name: String) -> Bool { !["", "0"].contains(environment[name] ?? "") }
        guard avx2Supported && !switchedOff("DIFFUSE_NO_AVX2") else { return .portable }
        return avx512Supported && !switchedOff("DIFFUSE_NO_AVX512") ? .avx512 : .avx2
    }
}
