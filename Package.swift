// swift-tools-version:6.0
import PackageDescription

// Release builds drop bounds and overflow checks (-Ounchecked) in Tensor alone: its Swift kernel
// loops are the only place where it could matter. Every other target, and every target that
// parses input (Data, HDF5, Checkpoint, Training, the executables), keeps its checks: a
// `precondition` there stops the program instead of being assumed. Measured (issue 16, AMD EPYC
// Zen 2, AVX2, 1 thread, process CPU clock, mnist, 3 alternating rounds): training 23.9 img/s
// with -Ounchecked on every numeric target, 24.1 with it on Tensor only, 24.6 with it nowhere;
// sampling 82.5 / 82.5 / 82.2 img/s. The differences are within the machine's noise.
let fast: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]

let package = Package(
    name: "Diffuse",
    // Linux only (glibc: `sigaction` fields, /proc, OpenMPI, OpenBLAS, HDF5 and oneDNN from Debian's
    // packages). SwiftPM has no Linux entry in `platforms`, so none is claimed.
    products: [
        .executable(name: "diffuse-train", targets: ["diffuse-train"]),
        .executable(name: "diffuse-sample", targets: ["diffuse-sample"]),
        .executable(name: "diffuse-data", targets: ["diffuse-data"]),
        .executable(name: "diffuse-eval", targets: ["diffuse-eval"]),
        .executable(name: "diffuse-bench", targets: ["diffuse-bench"]),
        .executable(name: "diffuse-mpi-check", targets: ["diffuse-mpi-check"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
    ],
    targets: [
        // System libraries (Debian packages in scripts/install-deps.sh) with shims for macros Swift cannot import.
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // oneDNN ships no pkg-config file on Debian: the module map links libdnnl and libgomp.
        .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),

        // AVX2 + FMA element-wise kernels, each compiled for that ISA alone and chosen at run time.
        .target(name: "CKernels"),
        .target(name: "Tensor", dependencies: ["CBLAS", "CKernels", "CDNNL"], swiftSettings: fast),
        .target(name: "Autograd", dependencies: ["Tensor"]),
        .target(name: "HDF5", dependencies: ["CHDF5"]),
        .target(name: "NN", dependencies: ["Tensor", "Autograd", "HDF5"]),
        .target(name: "Diffusion", dependencies: ["Tensor", "Autograd", "NN"]),
        .target(name: "Data", dependencies: ["Tensor", "HDF5", "CPNG", "CZlib"]),
        .target(name: "Distributed", dependencies: ["Tensor", "CMPI"]),
        .target(name: "Checkpoint", dependencies: ["Tensor", "NN", "HDF5", "CZlib"]),
        // The training configuration: its YAML schema, loader and validation (no trainer).
        .target(name: "Config", dependencies: [
            "Tensor", "Diffusion", "Data", .product(name: "Yams", package: "Yams")]),
        // A model rebuilt from a config or checkpoint, and sampling from it (no trainer).
        .target(name: "Sampling", dependencies: [
            "Config", "Tensor", "Autograd", "NN", "Diffusion", "HDF5", "Data", "Distributed", "Checkpoint",
            .product(name: "Yams", package: "Yams")]),
        // Sample quality, likelihoods and the feature classifier (no trainer).
        .target(name: "Evaluation", dependencies: [
            "Sampling", "Tensor", "Autograd", "NN", "Diffusion", "HDF5", "Data", "Checkpoint"]),
        .target(name: "Training", dependencies: [
            "Config", "Sampling", "Evaluation", "Tensor", "Autograd", "NN", "Diffusion", "Data", "Distributed", "Checkpoint",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Benchmarks (diffuse-bench) and checks run as tools or by tests, kept out of the library targets.
        .target(name: "Benchmarks", dependencies: ["Tensor", "Autograd", "NN", "Diffusion", "Distributed"]),
        .target(name: "TestSupport", dependencies: ["Tensor", "Distributed"]),

        .executableTarget(name: "diffuse-train", dependencies: [
            "Config", "Training", "Tensor", "Checkpoint", "Distributed", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "diffuse-sample", dependencies: [
            "Config", "Sampling", "Tensor", "Distributed", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "diffuse-data", dependencies: [
            "Data", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "diffuse-eval", dependencies: [
            "Config", "Sampling", "Evaluation", "Training", "Tensor", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "diffuse-bench", dependencies: [
            "Benchmarks", "Training", "Tensor", "Distributed", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            ),

        // A small MPI self-check: `mpirun -np N diffuse-mpi-check` verifies the MPI layer
        // (allreduce, broadcast, gather, bucketed overlap) and is what the Distributed tests launch.
        .executableTarget(name: "diffuse-mpi-check", dependencies: [
            "Benchmarks", "TestSupport", "Distributed", .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        .testTarget(name: "TensorTests", dependencies: ["Tensor", "CDNNL"]),
        .testTarget(name: "AutogradTests", dependencies: ["Tensor", "Autograd"]),
        .testTarget(name: "HDF5Tests", dependencies: ["HDF5"]),
        .testTarget(name: "NNTests", dependencies: ["Tensor", "Autograd", "NN", "HDF5"]),
        .testTarget(name: "DiffusionTests", dependencies: ["Tensor", "Autograd", "NN", "Diffusion"]),
        .testTarget(name: "DataTests", dependencies: ["Tensor", "HDF5", "Data"]),
        .testTarget(name: "DistributedTests", dependencies: ["Tensor", "Distributed", "TestSupport"]),
        .testTarget(name: "CheckpointTests", dependencies: ["Tensor", "HDF5", "Checkpoint"]),
        .testTarget(name: "TrainingTests", dependencies: ["Config", "Sampling", "Evaluation", "Training", "Tensor", "Autograd", "NN", "Diffusion", "Data", "Checkpoint", "HDF5", "Distributed",
                                                  "TestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "BenchmarksTests", dependencies: ["Tensor", "NN", "Benchmarks"]),
    ],
    swiftLanguageModes: [.v5]
)
