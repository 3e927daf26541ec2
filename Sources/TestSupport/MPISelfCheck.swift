import Distributed
import Tensor

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
    /// A check made to fail on the last rank, to exercise the failure path (its report and exit status).
    public let injectedFailure: String?

    public init(communicator: any Communicator, injectedFailure: String? = nil) {
        self.communicator = communicator
        self.injectedFailure = injectedFailure
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
            ("bucketed-overlapped-allreduce", checkBucketedAllreduce),
            ("agreed-flags", checkAgreedFlags),
            ("parameter-checksum", checkParameterChecksum),
        ]
    }

    /// Runs every check; a check that throws fails with the error's description.
    public func run() throws -> [Outcome] {
        try checks.map { check in
            var local: String?
            do { local = try check.run() } catch { local = "threw \(error)" }
            if check.name == injectedFailure && rank == size - 1 { local = local ?? "injected failure" }
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
        let n = 1 << 18
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

    /// A synthetic gradient of 30 parameters (about 1.2 MB) reduced by the `GradientBucketer`
    /// (16 KB first bucket, then 256 KB), with parameters marked ready in a rank-dependent order
    /// and `progress()` after each, for two steps; compared exactly with a blocking allreduce
    /// of the whole buffer divided by the world size, and with the closed form
    /// (1/n) Σ_r (r + 1) (i mod 23) = (n + 1)/2 (i mod 23).
    func checkBucketedAllreduce() throws -> String? {
        let counts = (0..<30).map { 500 + ($0 * 7_919) % 20_000 }
        var offset = 0
        let ranges = counts.map { c in defer { offset += c }; return (offset: offset, count: c) }
        let total = offset
        let gradients = Tensor(zeros: [total])
        let bucketer = GradientBucketer(gradients: gradients, parameterRanges: ranges, communicator: communicator,
                                        firstBucketBytes: 16 << 10, bucketBytes: 256 << 10)
        guard bucketer.buckets.count >= 3 else { return "expected at least 3 buckets, formed \(bucketer.buckets.count)" }
        let expected = (0..<total).map { Float(size + 1) / 2 * Float($0 % 23) }
        for step in 0..<2 {
            for i in 0..<total { gradients.pointer[i] = Float(rank + 1) * Float(i % 23) }
            var blocking = gradients.scalars
            try blocking.withUnsafeMutableBufferPointer { try communicator.allreduceSum($0) }
            blocking = blocking.map { $0 / Float(size) }
            // Readiness order differs per rank: a rotation of the reverse order, by 7 (rank + step).
            let reverse = Array((0..<counts.count).reversed())
            let shift = (7 * (rank + step)) % counts.count
            for p in reverse[shift...] + reverse[..<shift] {
                bucketer.markReady(p)
                bucketer.progress()
            }
            try bucketer.finish()
            let got = gradients.scalars
            if let m = firstMismatch(got, blocking, "step \(step): bucketed vs blocking") { return m }
            if let m = firstMismatch(got, expected, "step \(step): bucketed vs closed form") { return m }
        }
        let reduced = bucketer.statistics.bytesReduced
        let wanted = size > 1 ? 2 * total * 4 : 0
        return reduced == wanted ? nil : "bytesReduced \(reduced), expected \(wanted)"
    }

    func checkAgreedFlags() throws -> String? {
        if try communicator.anyRank(false) { return "anyRank(false) on all ranks gave true" }
        if try !communicator.anyRank(rank == size - 1) { return "a flag raised on the last rank was not seen" }
        let flags = try communicator.anyRank([false, rank == 0, true])
        if flags != [false, true, true] { return "anyRank([false, rank == 0, true]) gave \(flags)" }
        if try communicator.allRanks(rank != 0) { return "allRanks(rank != 0) gave true" }
        if try !communicator.allRanks(true) { return "allRanks(true) gave false" }
        return nil
    }

    func checkParameterChecksum() throws -> String? {
        let parameters = Tensor(shape: [5_000], values: (0..<5_000).map { Float($0 % 97) * 0.01 })
        try communicator.verifyParametersAgree(parameters, step: 1)
        // Perturbed on the last rank only: every rank must detect it.
        if rank == size - 1 && size > 1 { parameters.pointer[1234] += 1e-3 }
        let agreement = try communicator.compareChecksums(ParameterChecksum(parameters))
        if size > 1 && agreement.agrees() { return "a perturbation on rank \(size - 1) went unnoticed" }
        // Swapping two values leaves the sum but not the weighted sum.
        let swapped = Tensor(shape: [5_000], values: (0..<5_000).map { Float($0 % 97) * 0.01 })
        if rank == 0 && size > 1 { (swapped.pointer[10], swapped.pointer[20]) = (swapped.pointer[20], swapped.pointer[10]) }
        if size > 1, try communicator.compareChecksums(ParameterChecksum(swapped)).agrees() { return "a swap on rank 0 went unnoticed" }
        // A NaN anywhere is reported everywhere.
        if rank == 0 { swapped.pointer[0] = .nan }
        let nan = try communicator.compareChecksums(ParameterChecksum(swapped))
        if !nan.anyNonFinite { return "a NaN on rank 0 was not reported" }
        do {
            try communicator.verifyParametersAgree(swapped, step: 7)
            return "verifyParametersAgree accepted a NaN"
        } catch let e as ParameterDivergenceError {
            return e.step == 7 ? nil : "error names step \(e.step), expected 7"
        }
    }

    func checkBarrier() throws -> String? {
        try communicator.barrier()
        return nil
    }
}
