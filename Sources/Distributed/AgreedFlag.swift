import Foundation

/// Flags every rank agrees on: a flag raised on any rank (e.g. a signal delivered to one
/// process) is seen raised on all, so all ranks act at the same step. One allreduce (max of
/// 0/1, or min for `allRanks`) of all flags together.
extension Communicator {
    /// True on every rank if `flag` is true on at least one rank.
    public func anyRank(_ flag: Bool) throws -> Bool {
        try anyRank([flag])[0]
    }

    /// Element-wise `anyRank` of several flags in one reduction.
    public func anyRank(_ flags: [Bool]) throws -> [Bool] {
        var values = flags.map { Int32($0 ? 1 : 0) }
        try allreduce(&values, .max)
        return values.map { $0 != 0 }
    }

    /// True on every rank if `flag` is true on all ranks.
    public func allRanks(_ flag: Bool) throws -> Bool {
        try allreduce(Int32(flag ? 1 : 0), .min) != 0
    }
}

extension Communicator {
    /// Element-wise `anyRank` through a nonblocking reduction tested every `interval` seconds.
    /// For a rank that may wait long for the others (the ranks waiting while rank 0 draws a
    /// sample grid): it sleeps between tests instead of spinning inside a blocking MPI call,
    /// so it leaves its core to the rank that works. Every rank must call this one (a
    /// nonblocking collective does not match a blocking `anyRank`).
    public func anyRankWaitingIdle(_ flags: [Bool], interval: Double = 0.005) throws -> [Bool] {
        let values = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(1, flags.count))
        defer { values.deallocate() }
        for (i, flag) in flags.enumerated() { values[i] = flag ? 1 : 0 }
        let request = try startAllreduce(UnsafeMutableBufferPointer(rebasing: values[0..<flags.count]), .max)
        let pause = useconds_t(max(0, interval) * 1e6)
        while try !request.test() { usleep(pause) }
        return values[0..<flags.count].map { $0 != 0 }
    }
}
