import ArgumentParser

/// `diffuse-bench`: performance measurements (release build). Each mode is a subcommand in
/// its own file; add new ones to `subcommands`.
struct DiffuseBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diffuse-bench",
        abstract: "Benchmarks for Diffuse (build with -c release).",
        subcommands: [KernelsCommand.self, TrainCommand.self, SampleCommand.self, AllreduceCommand.self, ScalingCommand.self])
}

DiffuseBench.main()
