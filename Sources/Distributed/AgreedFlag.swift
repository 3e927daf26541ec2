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
