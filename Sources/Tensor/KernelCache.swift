import CBLAS
import Foundation

/// The autotuner's decisions on disk: a JSON file `{"format": "diffuse.kernels", "version": 1,
/// "machines": {SIGNATURE: {KEY: ALGORITHM}}}`. A machine's signature names what the timings
/// depend on (`signature`: CPU model and flags, threads, OpenBLAS and oneDNN builds), so a
/// cache shared by several machines, or kept across an upgrade, never applies decisions
/// measured elsewhere. Writes merge with what is on disk and replace the file atomically
/// (temporary file + rename), so concurrent processes lose at most each other's newest entries.
public struct KernelCache: Sendable {
    public let path: String
    public let signature: String

    public init(path: String, signature: String = KernelCache.signature()) {
        self.path = path
        self.signature = signature
    }

    /// `DIFFUSE_KERNEL_CACHE` (a file path; empty or `off` for no cache), else
    /// `$XDG_CACHE_HOME/diffuse/kernels.json`, else `~/.cache/diffuse/kernels.json`.
    public static func defaultPath(environment: [String: String]) -> String {
        if let p = environment["DIFFUSE_KERNEL_CACHE"] { return p }
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) as NSString).appendingPathComponent(".cache")
        return ((base as NSString).appendingPathComponent("diffuse") as NSString).appendingPathComponent("kernels.json")
    }

    /// Whether `path` names a cache (not empty or `off`).
    var enabled: Bool { !path.isEmpty && path != "off" }

    /// This machine's decisions (empty when the file is missing or unreadable).
    public func load() -> [String: String] {
        guard enabled else { return [:] }
        return Self.machines(atPath: path)[signature] ?? [:]
    }

    /// Adds `decisions` to this machine's entry. A cache that cannot be written is skipped
    /// (decisions are then measured again next run), never an error.
    public func store(_ decisions: [String: String]) {
        guard enabled, !decisions.isEmpty else { return }
        var machines = Self.machines(atPath: path)
        machines[signature, default: [:]].merge(decisions) { _, new in new }
        let document: [String: Any] = ["format": "diffuse.kernels", "version": 1, "machines": machines]
        guard let data = try? JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys]) else { return }
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder.isEmpty ? "." : folder, withIntermediateDirectories: true)
        try? AtomicFile.write(to: path, temporarySuffix: ".tmp-\(getpid())") { temporary in
            guard FileManager.default.createFile(atPath: temporary, contents: data) else {
                throw AtomicFileError(path: temporary, "cannot create")
            }
        }
    }

    private static func machines(atPath path: String) -> [String: [String: String]] {
        guard let data = FileManager.default.contents(atPath: path),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              root["format"] as? String == "diffuse.kernels",
              let machines = root["machines"] as? [String: [String: String]] else { return [:] }
        return machines
    }

    /// What kernel timings depend on: the CPU's model name and a hash of its feature flags
    /// (`/proc/cpuinfo`), the threads (element-wise workers and OpenBLAS's), the chunks per
    /// worker (`DIFFUSE_CHUNKS_PER_WORKER`), OpenBLAS's build (`openblas_get_config`), oneDNN's
    /// version, and `kernelsVersion`.
    public static func signature() -> String {
        let (model, flags) = cpuModelAndFlags()
        let blas = openblas_get_config().map { String(cString: $0) } ?? "unknown"
        return "cpu=\(model); flags=\(String(fnv1a(flags), radix: 16)); threads=\(Parallel.threads)/\(Gemm.threads); "
            + "chunks=\(Parallel.chunksPerWorker); openblas=\(blas); onednn=\(OneDNNConv.version); kernels=\(kernelsVersion)"
    }

    /// The version of Diffuse's own convolution kernels and candidates: raised whenever one of
    /// them changes speed, so that decisions measured against the old code are measured again.
    /// 2: Winograd's kernel transform in AVX2 and spread over the workers.
    /// 3: the convolutions' work handed out in chunks from a shared counter (`Parallel.dynamic`).
    public static let kernelsVersion = 3

    /// The first "model name" and "flags" lines of `/proc/cpuinfo` ("unknown" elsewhere).
    public static func cpuModelAndFlags() -> (model: String, flags: String) {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return ("unknown", "") }
        func field(_ name: String) -> String? {
            for line in text.split(separator: "\n") where line.hasPrefix(name) {
                if let colon = line.firstIndex(of: ":") {
                    return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
            }
            return nil
        }
        return (field("model name") ?? "unknown", field("flags") ?? "")
    }

    /// 64-bit FNV-1a of a string's UTF-8 bytes.
    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }
}
