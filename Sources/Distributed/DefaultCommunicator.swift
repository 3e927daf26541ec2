import Foundation

/// Picks the communicator for this process, so one binary runs with and without `mpirun`:
/// `MPICommunicator` when `MPILaunch.isLaunchedByMPI(environment:)`, otherwise
/// `SingleProcessCommunicator`.
public func makeDefaultCommunicator(environment: [String: String] = ProcessInfo.processInfo.environment,
                                    threadLevel: MPICommunicator.ThreadLevel = .funneled) throws -> any Communicator {
    if MPILaunch.isLaunchedByMPI(environment: environment) {
        return try MPICommunicator(threadLevel: threadLevel)
    }
    return SingleProcessCommunicator()
}
