import Foundation

/// The one-rank job: `rank == 0`, `size == 1`, no MPI. Every reduction over one rank is the
/// identity, so the collectives leave buffers unchanged and requests complete immediately.
public final class SingleProcessCommunicator: Communicator {
    public init() {}

    public var rank: Int { 0 }
    public var size: Int { 1 }

    public func allreduce<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, _ operation: ReductionOperation) throws {}

    public func startAllreduce<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, _ operation: ReductionOperation) throws -> CommunicationRequest {
        CompletedRequest()
    }

    public func broadcast<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, root: Int) throws {
        precondition(root == 0, "broadcast root \(root) is not a rank of a 1-rank job")
    }

    public func gather<T: CommunicatorScalar>(_ local: UnsafeBufferPointer<T>, root: Int) throws -> [[T]] {
        precondition(root == 0, "gather root \(root) is not a rank of a 1-rank job")
        return [Array(local)]
    }

    public func allgather<T: CommunicatorScalar>(_ local: UnsafeBufferPointer<T>) throws -> [[T]] {
        [Array(local)]
    }

    public func barrier() throws {}

    public func abort(code: Int32) -> Never { exit(code) }

    public func finalize() throws {}
}

/// A request that was complete when it was created.
public final class CompletedRequest: CommunicationRequest {
    public init() {}
    public func test() throws -> Bool { true }
    public func wait() throws {}
}
