/// Self-checks of a `Communicator` run collectively on every rank (what `diffuse-mpi-check`
/// runs under `mpirun -np N`). Each check computes, on each rank, values whose reduction has a
/// closed form and compares exactly (integer-valued floats, so summation order cannot matter).
/// A check's verdict is agreed across ranks, so every rank reports the same outcome list.
public struct MPISelfCheck {
    public struct Outcome: Equatable, Sendable {
        public let name: String
        public let passed: Bool
        /// On failure: which ranks failed and the first failing rank's reason.
        public let detail: String
    }

    public let communicator: any Communicator

    public init(communicator: any Communicator) {
        self.communicator = communicator
    }

    /// The checks, in the order they run (the same on every rank).
    public var checks: [(name: String, run: () throws -> String?)] {
        [
            ("rank-and-size", checkRankAndSize),
            ("allreduce-sum-float", checkAllreduceSumFloat),
            ("allreduce-sum-double", checkAllreduceSumDouble),
            ("allreduce-max-min", checkAllreduceMaxMin),
            ("broadcast", checkBroadcast),
            ("gather-variable-size", checkGather),
            ("allgather-variable-size", checkAllgather),
            ("nonblocking-allreduce", checkNonblockingAllreduce),
            ("barrier", checkBarrier),
            ("errors-return", checkErrorsReturn),
        ]
    }

    /// Runs every check; a check that throws fails with the error's description.
    public func run() throws -> [Outcome] {
        try checks.map { check in
            let local: String?
            do { local = try check.run() } catch { local = "threw \(error)" }
            return try agree(name: check.name, localFailure: local)
        }
    }

    /// Combines the ranks' verdicts: the check passes only if it passed on every rank.
    func agree(name: String, localFailure: String?) throws -> Outcome {
        let flags = try communicator.allgather([Int32(localFailure == nil ? 0 : 1)])
        let failing = flags.indices.filter { flags[$0][0] != 0 }
        if failing.isEmpty { return Outcome(name: name, passed: true, detail: "") }
        // The first failing rank's reason, broadcast so every rank reports it.
        let reason = try communicator.broadcast(localFailure ?? "", root: failing[0])
        return Outcome(name: name, passed: false, detail: "failed on rank(s) \(failing): \(reason)")
    }

    private var rank: Int { communicator.rank }
    private var size: Int { communicator.size }

    private func firstMismatch<T: Equatable>(_ got: [T], _ expected: [T], _ what: String) -> String? {
        guard got.count == expected.count else { return "\(what): got \(got.count) elements, expected \(expected.count)" }
        for i in got.indices where got[i] != expected[i] {
            return "\(what): element \(i) is \(got[i]), expected \(expected[i])"
        }
        return nil
    }

    func checkRankAndSize() throws -> String? {
        let all = try communicator.allgather([Int32(rank), Int32(size)])
        return firstMismatch(all.map { $0[0] }, (0..<size).map(Int32.init), "ranks")
            ?? firstMismatch(all.map { $0[1] }, Array(repeating: Int32(size), count: size), "sizes")
    }

    func checkAllreduceSumFloat() throws -> String? {
        // x_i^(r) = (r + 1) (i mod 17): sum over ranks = n(n+1)/2 (i mod 17).
        let n = 100_003
        var x = (0..<n).map { Float(rank + 1) * Float($0 % 17) }
        try x.withUnsafeMutableBufferPointer { try communicator.allreduceSum($0) }
        let ranksSum = Float(size * (size + 1) / 2)
        return firstMismatch(x, (0..<n).map { ranksSum * Float($0 % 17) }, "sum")
    }

    func checkAllreduceSumDouble() throws -> String? {
        // x_i^(r) = i + (r + 1) / 2: sum = n i + n(n+1)/4.
        let n = 10_007
        var x = (0..<n).map { Double($0) + Double(rank + 1) / 2 }
        try x.withUnsafeMutableBufferPointer { try communicator.allreduceSum($0) }
        return firstMismatch(x, (0..<n).map { Double(size * $0) + Double(size * (size + 1)) / 4 }, "sum")
    }

    func checkAllreduceMaxMin() throws -> String? {
        var hi: [Double] = [Double(rank), -Double(rank)]
        var lo: [Int64] = [Int64(rank) + 10, -Int64(rank)]
        try communicator.allreduce(&hi, .max)
        try communicator.allreduce(&lo, .min)
        return firstMismatch(hi, [Double(size - 1), 0], "max")
            ?? firstMismatch(lo, [10, -Int64(size - 1)], "min")
    }

    func checkBroadcast() throws -> String? {
        for root in Set([0, size - 1]).sorted() {
            var x = (0..<1000).map { rank == root ? Float($0 * (root + 3)) : -1 }
            try communicator.broadcast(&x, root: root)
            if let m = firstMismatch(x, (0..<1000).map { Float($0 * (root + 3)) }, "broadcast from \(root)") { return m }
        }
        let text = "model:\n  channels: [32, 64]\n# ünïcode"
        let got = try communicator.broadcast(rank == 0 ? text : "", root: 0)
        return got == text ? nil : "string broadcast gave \(got.debugDescription)"
    }

    /// Rank r contributes r + 1 floats 1000 r + j.
    private func gatherContribution(_ r: Int) -> [Float] { (0...r).map { Float(1000 * r + $0) } }

    func checkGather() throws -> String? {
        let root = size - 1
        let got = try communicator.gather(gatherContribution(rank), root: root)
        if rank != root { return got.isEmpty ? nil : "non-root received \(got.count) buffers" }
        guard got.count == size else { return "root received \(got.count) buffers, expected \(size)" }
        for r in 0..<size {
            if let m = firstMismatch(got[r], gatherContribution(r), "buffer of rank \(r)") { return m }
        }
        return nil
    }

    func checkAllgather() throws -> String? {
        let got = try communicator.allgather(gatherContribution(rank))
        guard got.count == size else { return "received \(got.count) buffers, expected \(size)" }
        for r in 0..<size {
            if let m = firstMismatch(got[r], gatherContribution(r), "buffer of rank \(r)") { return m }
        }
        return nil
    }

    func checkNonblockingAllreduce() throws -> String? {
        let n = 1 << 20
        var x = (0..<n).map { Float(rank + 1) * Float($0 % 5) }
        try x.withUnsafeMutableBufferPointer { buffer in
            let request = try communicator.startAllreduceSum(buffer)
            var polls = 0
            while try !request.test() && polls < 1_000_000 { polls += 1 }
            try request.wait()
            if try !request.test() {
                throw CommunicatorError(operation: "MPI_Test after MPI_Wait", code: -1, message: "request still incomplete")
            }
        }
        let ranksSum = Float(size * (size + 1) / 2)
        return firstMismatch(x, (0..<n).map { ranksSum * Float($0 % 5) }, "sum")
    }

    /// With MPI: an invalid call must throw a `CommunicatorError` carrying MPI's message, not abort.
    func checkErrorsReturn() throws -> String? {
        guard let mpi = communicator as? MPICommunicator else { return nil }
        guard let error = mpi.provokeInvalidRootError() else { return "MPI_Bcast with root \(size) did not fail" }
        guard let e = error as? CommunicatorError else { return "threw \(type(of: error)), not CommunicatorError" }
        return e.code > 0 && e.message.lowercased().contains("root") ? nil : "unexpected error: \(e)"
    }

    func checkBarrier() throws -> String? {
        try communicator.barrier()
        return nil
    }
}
