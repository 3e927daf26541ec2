import Tensor

/// A handle on an in-flight nonblocking collective. The buffer it works on must stay alive
/// and untouched until `test()` returns true or `wait()` returns.
public protocol CommunicationRequest: AnyObject {
    /// Advances the operation (MPI makes progress only inside MPI calls here) and reports
    /// whether it has completed. Calling it again after completion returns true.
    func test() throws -> Bool
    /// Blocks until the operation completes. Idempotent.
    func wait() throws
}

/// The ranks of a data-parallel job and the collectives Diffuse needs from them.
///
/// Every collective must be called by all ranks in the same order (MPI semantics).
/// Buffers are reduced in place; `size == 1` implementations make all of them no-ops.
public protocol Communicator: AnyObject {
    /// This process's index in `0..<size`.
    var rank: Int { get }
    /// Number of ranks in the job.
    var size: Int { get }

    /// In-place allreduce: afterwards every rank holds `op` over all ranks' buffers, element-wise.
    func allreduce<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, _ operation: ReductionOperation) throws
    /// Nonblocking in-place allreduce (MPI_Iallreduce); see `CommunicationRequest`.
    func startAllreduce<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, _ operation: ReductionOperation) throws -> CommunicationRequest
    /// Copies `root`'s buffer into every other rank's buffer (all buffers have the same count).
    func broadcast<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, root: Int) throws
    /// Gathers each rank's buffer (sizes may differ) to `root`: there the result has `size`
    /// entries in rank order; on other ranks it is empty.
    func gather<T: CommunicatorScalar>(_ local: UnsafeBufferPointer<T>, root: Int) throws -> [[T]]
    /// Like `gather`, but every rank receives all buffers.
    func allgather<T: CommunicatorScalar>(_ local: UnsafeBufferPointer<T>) throws -> [[T]]
    /// Returns once every rank has entered the barrier.
    func barrier() throws
    /// Terminates every rank of the job with exit status `code`.
    func abort(code: Int32) -> Never
    /// Ends the job's communication (MPI_Finalize); call once on every rank before exiting.
    /// Idempotent; no collective may follow it.
    func finalize() throws
}

// MARK: - Conveniences over the primitive collectives

extension Communicator {
    public var isRoot: Bool { rank == 0 }

    /// In-place sum over ranks of a Float buffer.
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws { try allreduce(buffer, .sum) }
    /// In-place sum over ranks of a Double buffer.
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws { try allreduce(buffer, .sum) }

    /// In-place reduction of an array.
    public func allreduce<T: CommunicatorScalar>(_ values: inout [T], _ operation: ReductionOperation) throws {
        try values.withUnsafeMutableBufferPointer { try allreduce($0, operation) }
    }

    /// Reduction of one value.
    public func allreduce<T: CommunicatorScalar>(_ value: T, _ operation: ReductionOperation) throws -> T {
        var values = [value]
        try allreduce(&values, operation)
        return values[0]
    }

    /// In-place reduction of a tensor's elements (its view, not the whole storage).
    public func allreduce(_ tensor: Tensor, _ operation: ReductionOperation) throws {
        try allreduce(UnsafeMutableBufferPointer(start: tensor.pointer, count: tensor.count), operation)
    }

    /// Broadcast of an array (same count on every rank).
    public func broadcast<T: CommunicatorScalar>(_ values: inout [T], root: Int) throws {
        try values.withUnsafeMutableBufferPointer { try broadcast($0, root: root) }
    }

    /// Broadcast of a tensor's elements.
    public func broadcast(_ tensor: Tensor, root: Int) throws {
        try broadcast(UnsafeMutableBufferPointer(start: tensor.pointer, count: tensor.count), root: root)
    }

    /// Broadcast of a string whose length only `root` knows (e.g. the resolved config text).
    public func broadcast(_ string: String, root: Int) throws -> String {
        var length = [Int64(rank == root ? string.utf8.count : 0)]
        try broadcast(&length, root: root)
        var bytes = rank == root ? Array(string.utf8) : [UInt8](repeating: 0, count: Int(length[0]))
        try broadcast(&bytes, root: root)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Gather of arrays of varying length to `root`.
    public func gather<T: CommunicatorScalar>(_ values: [T], root: Int) throws -> [[T]] {
        try values.withUnsafeBufferPointer { try gather($0, root: root) }
    }

    /// Allgather of arrays of varying length.
    public func allgather<T: CommunicatorScalar>(_ values: [T]) throws -> [[T]] {
        try values.withUnsafeBufferPointer { try allgather($0) }
    }

    /// Nonblocking in-place sum of a Float buffer.
    public func startAllreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws -> CommunicationRequest {
        try startAllreduce(buffer, .sum)
    }
}
