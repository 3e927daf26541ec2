import CMPI
import Foundation

/// `Communicator` over MPI_COMM_WORLD (a private duplicate of it, so Diffuse's collectives
/// never match a library's). Errors return (`MPI_ERRORS_RETURN`) and are thrown as
/// `CommunicatorError` carrying MPI's error string.
///
/// MPI can be initialised once per process: create exactly one `MPICommunicator`, and call
/// `finalize()` before the process exits (also done on deinit). The default thread level is
/// `MPI_THREAD_FUNNELED`: only the thread that created the communicator may call it.
public final class MPICommunicator: Communicator {
    public enum ThreadLevel: Sendable {
        /// MPI_THREAD_FUNNELED: only the main thread calls MPI.
        case funneled
        /// MPI_THREAD_MULTIPLE: any thread may call MPI (e.g. a communication thread).
        case multiple
    }

    public let rank: Int
    public let size: Int
    private var communicator: MPI_Comm?
    private var isFinalized = false

    /// Initialises MPI (MPI_Init_thread) and sets up the world communicator.
    public init(threadLevel: ThreadLevel = .funneled) throws {
        var flag: Int32 = 0
        MPI_Finalized(&flag)
        if flag != 0 {
            throw CommunicatorError(operation: "MPI_Init_thread", code: -1,
                                    message: "MPI was already finalized in this process and cannot be initialised again")
        }
        MPI_Initialized(&flag)
        if flag != 0 {
            throw CommunicatorError(operation: "MPI_Init_thread", code: -1,
                                    message: "MPI is already initialised in this process: create exactly one MPICommunicator")
        }
        let required = threadLevel == .multiple ? diffuse_mpi_thread_multiple() : diffuse_mpi_thread_funneled()
        var provided: Int32 = 0
        let rc = MPI_Init_thread(nil, nil, required, &provided)
        guard rc == diffuse_mpi_success() else {
            throw CommunicatorError(operation: "MPI_Init_thread", code: rc, message: MPICommunicator.errorString(rc))
        }
        let world = diffuse_mpi_comm_world()
        MPI_Comm_set_errhandler(world, diffuse_mpi_errors_return())
        guard provided >= required else {
            MPI_Finalize()
            throw CommunicatorError(operation: "MPI_Init_thread", code: -1,
                                    message: "the MPI library provides thread level \(provided), below the required \(required)")
        }
        var duplicate: MPI_Comm? = nil
        try MPICommunicator.check(MPI_Comm_dup(world, &duplicate), "MPI_Comm_dup(MPI_COMM_WORLD)")
        MPI_Comm_set_errhandler(duplicate, diffuse_mpi_errors_return())
        var r: Int32 = 0, s: Int32 = 0
        try MPICommunicator.check(MPI_Comm_rank(duplicate, &r), "MPI_Comm_rank")
        try MPICommunicator.check(MPI_Comm_size(duplicate, &s), "MPI_Comm_size")
        communicator = duplicate
        rank = Int(r)
        size = Int(s)
    }

    deinit { try? finalize() }

    /// MPI's description of an error code (MPI_Error_string; OpenMPI aborts if it is called
    /// before MPI_Init, so then only the code is given).
    public static func errorString(_ code: Int32) -> String {
        var initialized: Int32 = 0
        MPI_Initialized(&initialized)
        guard initialized != 0 else { return "MPI error code \(code) (MPI not initialised)" }
        var buffer = [CChar](repeating: 0, count: Int(diffuse_mpi_max_error_string()) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &buffer, &length)
        return String(cString: buffer)
    }

    static func check(_ code: Int32, _ operation: @autoclosure () -> String) throws {
        guard code != diffuse_mpi_success() else { return }
        throw CommunicatorError(operation: operation(), code: code, message: errorString(code))
    }

    static func datatype(_ kind: CommunicatorScalarKind) -> MPI_Datatype {
        switch kind {
        case .float32: return diffuse_mpi_float()
        case .float64: return diffuse_mpi_double()
        case .int32: return diffuse_mpi_int()
        case .int64: return diffuse_mpi_int64()
        case .uint8: return diffuse_mpi_uint8()
        }
    }

    static func op(_ operation: ReductionOperation) -> MPI_Op {
        switch operation {
        case .sum: return diffuse_mpi_sum()
        case .max: return diffuse_mpi_max()
        case .min: return diffuse_mpi_min()
        }
    }

    /// Largest element count passed to one MPI call (counts are C ints); longer buffers are split.
    static let maxChunk = 1 << 30

    private var comm: MPI_Comm {
        precondition(!isFinalized, "MPICommunicator used after finalize()")
        return communicator!
    }

    private func checkRoot(_ root: Int, _ operation: String) {
        precondition((0..<size).contains(root), "\(operation) root \(root) is not a rank of a \(size)-rank job")
    }

    /// The chunks `(start, count)` covering `0..<total` with counts that fit a C int.
    private static func chunks(_ total: Int) -> [(start: Int, count: Int32)] {
        stride(from: 0, to: total, by: maxChunk).map { ($0, Int32(min(maxChunk, total - $0))) }
    }

    public func allreduce<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, _ operation: ReductionOperation) throws {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        let comm = self.comm
        for (start, count) in MPICommunicator.chunks(buffer.count) {
            try MPICommunicator.check(
                MPI_Allreduce(diffuse_mpi_in_place(), base + start, count, MPICommunicator.datatype(T.communicatorKind),
                              MPICommunicator.op(operation), comm),
                "MPI_Allreduce (\(operation), \(count) x \(T.communicatorKind))")
        }
    }

    public func startAllreduce<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, _ operation: ReductionOperation) throws -> CommunicationRequest {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return CompletedRequest() }
        let comm = self.comm
        var requests: [MPI_Request?] = []
        for (start, count) in MPICommunicator.chunks(buffer.count) {
            var request: MPI_Request? = diffuse_mpi_request_null()
            try MPICommunicator.check(
                MPI_Iallreduce(diffuse_mpi_in_place(), base + start, count, MPICommunicator.datatype(T.communicatorKind),
                               MPICommunicator.op(operation), comm, &request),
                "MPI_Iallreduce (\(operation), \(count) x \(T.communicatorKind))")
            requests.append(request)
        }
        return MPIRequest(requests, description: "MPI_Iallreduce (\(operation), \(buffer.count) x \(T.communicatorKind))")
    }

    public func broadcast<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, root: Int) throws {
        checkRoot(root, "broadcast")
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        let comm = self.comm
        for (start, count) in MPICommunicator.chunks(buffer.count) {
            try MPICommunicator.check(
                MPI_Bcast(base + start, count, MPICommunicator.datatype(T.communicatorKind), Int32(root), comm),
                "MPI_Bcast (root \(root), \(count) x \(T.communicatorKind))")
        }
    }

    /// Exchanges every rank's element count (as Int32) with MPI_Gather (to `root`) or MPI_Allgather.
    private func counts(_ local: Int, root: Int?) throws -> [Int32] {
        precondition(local <= Int(Int32.max), "gather of \(local) elements exceeds the MPI count limit \(Int32.max)")
        var mine = Int32(local)
        var all = [Int32](repeating: 0, count: size)
        let int = diffuse_mpi_int()
        if let root {
            try MPICommunicator.check(MPI_Gather(&mine, 1, int, &all, 1, int, Int32(root), comm), "MPI_Gather (counts to root \(root))")
        } else {
            try MPICommunicator.check(MPI_Allgather(&mine, 1, int, &all, 1, int, comm), "MPI_Allgather (counts)")
        }
        return all
    }

    /// Splits a received concatenation into per-rank arrays.
    private static func split<T>(_ flat: [T], counts: [Int32]) -> [[T]] {
        var result: [[T]] = []
        var start = 0
        for c in counts {
            result.append(Array(flat[start..<start + Int(c)]))
            start += Int(c)
        }
        return result
    }

    private static func displacements(_ counts: [Int32]) -> [Int32] {
        var displs = [Int32](repeating: 0, count: counts.count)
        var total = 0
        for i in counts.indices {
            precondition(total <= Int(Int32.max), "gathered total \(total) exceeds the MPI count limit")
            displs[i] = Int32(total)
            total += Int(counts[i])
        }
        return displs
    }

    public func gather<T: CommunicatorScalar>(_ local: UnsafeBufferPointer<T>, root: Int) throws -> [[T]] {
        checkRoot(root, "gather")
        return try gatherv(local, root: root)
    }

    public func allgather<T: CommunicatorScalar>(_ local: UnsafeBufferPointer<T>) throws -> [[T]] {
        try gatherv(local, root: nil)
    }

    /// MPI_Gatherv to `root`, or MPI_Allgatherv when `root` is nil, after exchanging counts.
    private func gatherv<T: CommunicatorScalar>(_ local: UnsafeBufferPointer<T>, root: Int?) throws -> [[T]] {
        let counts = try self.counts(local.count, root: root)
        let type = MPICommunicator.datatype(T.communicatorKind)
        let receives = root == nil || root == rank
        let total = receives ? counts.reduce(0) { $0 + Int($1) } : 0
        var received = [T](repeating: 0, count: max(total, 1))
        let displs = MPICommunicator.displacements(counts)
        var sendDummy: T = 0
        try withUnsafePointer(to: &sendDummy) { dummy in
            let send = UnsafeRawPointer(local.baseAddress) ?? UnsafeRawPointer(dummy)
            try received.withUnsafeMutableBufferPointer { recv in
                if let root {
                    try MPICommunicator.check(
                        MPI_Gatherv(send, Int32(local.count), type, recv.baseAddress, counts, displs, type, Int32(root), comm),
                        "MPI_Gatherv (\(local.count) x \(T.communicatorKind) to root \(root))")
                } else {
                    try MPICommunicator.check(
                        MPI_Allgatherv(send, Int32(local.count), type, recv.baseAddress, counts, displs, type, comm),
                        "MPI_Allgatherv (\(local.count) x \(T.communicatorKind))")
                }
            }
        }
        return receives ? MPICommunicator.split(received, counts: counts) : []
    }

    /// Provokes an MPI error (a broadcast from the nonexistent root `size`) and returns what was
    /// thrown: checks that errors return as `CommunicatorError`s with MPI's message instead of aborting.
    public func provokeInvalidRootError() -> Error? {
        var x: Int32 = 0
        do {
            try MPICommunicator.check(MPI_Bcast(&x, 1, diffuse_mpi_int(), Int32(size), comm), "MPI_Bcast (invalid root \(size))")
            return nil
        } catch {
            return error
        }
    }

    public func barrier() throws {
        try MPICommunicator.check(MPI_Barrier(comm), "MPI_Barrier")
    }

    public func abort(code: Int32) -> Never {
        MPI_Abort(isFinalized ? diffuse_mpi_comm_world() : communicator, code)
        exit(code)
    }

    public func finalize() throws {
        guard !isFinalized else { return }
        isFinalized = true
        MPI_Comm_free(&communicator)
        try MPICommunicator.check(MPI_Finalize(), "MPI_Finalize")
    }
}

/// One or more MPI requests of a nonblocking collective (several when the buffer was split
/// into chunks of at most `MPICommunicator.maxChunk` elements).
final class MPIRequest: CommunicationRequest {
    private var requests: [MPI_Request?]
    private var isComplete = false
    private let description: String

    init(_ requests: [MPI_Request?], description: String) {
        self.requests = requests
        self.description = description
    }

    func test() throws -> Bool {
        if isComplete { return true }
        var flag: Int32 = 0
        try MPICommunicator.check(MPI_Testall(Int32(requests.count), &requests, &flag, diffuse_mpi_statuses_ignore()),
                                  "MPI_Testall on \(description)")
        isComplete = flag != 0
        return isComplete
    }

    func wait() throws {
        if isComplete { return }
        try MPICommunicator.check(MPI_Waitall(Int32(requests.count), &requests, diffuse_mpi_statuses_ignore()),
                                  "MPI_Waitall on \(description)")
        isComplete = true
    }
}
