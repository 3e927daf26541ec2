import Foundation

/// Runs a built executable of the package, alone or under `mpirun -np N`, with a timeout,
/// capturing its output: how the tests drive the real MPI layer (`diffuse-mpi-check`) and the
/// command line tools (`diffuse-sample`). The child runs outside any enclosing MPI or Slurm
/// job's environment, with one BLAS and one Diffuse thread per process.
public struct ProcessLauncher {
    public struct Run {
        public let status: Int32
        public let output: String
        public let errors: String
        /// Whether the process had to be terminated after the timeout.
        public let timedOut: Bool
    }

    public struct MissingTool: Error, CustomStringConvertible {
        public let description: String
    }

    /// The build products folder: the one holding the running test bundle (or executable),
    /// or `.build/debug` of the package that contains `sourceFile`.
    public static func locateProduct(_ name: String, sourceFile: String = #filePath) throws -> URL {
        var candidates: [URL] = []
        for bundle in Bundle.allBundles + [Bundle.main] {
            let url = bundle.bundleURL
            candidates.append((url.pathExtension == "xctest" ? url.deletingLastPathComponent() : url)
                .appendingPathComponent(name))
        }
        var root = URL(fileURLWithPath: sourceFile).deletingLastPathComponent()
        while root.path != "/" && !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            root = root.deletingLastPathComponent()
        }
        candidates.append(root.appendingPathComponent(".build/debug/\(name)"))
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) { return found }
        throw MissingTool(description: "\(name) was not found in \(candidates.map(\.path)); build it with `swift build --build-tests` (or `swift build --product \(name)`)")
    }

    /// The first executable `tool` on PATH.
    public static func which(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public init() {}

    /// Runs `executable` with `arguments`; terminates it after `timeout` seconds.
    public func run(_ executable: String, _ arguments: [String], timeout: TimeInterval = 60) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment.filter { key, _ in
            !(key.hasPrefix("OMPI_COMM_WORLD") || key.hasPrefix("PMIX_") || key.hasPrefix("PMI_") || key.hasPrefix("SLURM_"))
        }
        environment["OPENBLAS_NUM_THREADS"] = "1"
        environment["DIFFUSE_THREADS"] = "1"
        process.environment = environment
        // Output goes to temporary files: no reader threads, no pipe-buffer deadlock.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("diffuse-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("stdout"), errURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        var timedOut = false
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            process.terminate()
            _ = finished.wait(timeout: .now() + 5)
        }
        let outData = try Data(contentsOf: outURL), errData = try Data(contentsOf: errURL)
        return Run(status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self),
                   errors: String(decoding: errData, as: UTF8.self), timedOut: timedOut)
    }

    /// `mpirun --allow-run-as-root --oversubscribe -np N` over `binary` with one thread per rank.
    public func mpirun(np: Int, _ binary: URL, _ arguments: [String] = [], timeout: TimeInterval = 60) throws -> Run {
        guard let mpirun = ProcessLauncher.which("mpirun") else {
            throw MissingTool(description: "mpirun is not on PATH (install openmpi-bin)")
        }
        return try run(mpirun, ["--allow-run-as-root", "--oversubscribe", "-np", "\(np)",
                                "-x", "OPENBLAS_NUM_THREADS=1", "-x", "DIFFUSE_THREADS=1", binary.path] + arguments,
                       timeout: timeout)
    }
}
