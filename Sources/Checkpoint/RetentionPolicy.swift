/// Which checkpoints to keep: the newest `keepLast` (at least 2, so that a failed write
/// always leaves an older complete one), plus every checkpoint whose step is a multiple of
/// `keepEvery` (when > 0), forever.
public struct RetentionPolicy: Equatable, Sendable {
    public var keepLast: Int
    public var keepEvery: Int

    public init(keepLast: Int, keepEvery: Int = 0) {
        precondition(keepLast >= 2, "RetentionPolicy: keepLast \(keepLast) must be >= 2")
        self.keepLast = keepLast
        self.keepEvery = keepEvery
    }

    /// The steps among `steps` to delete.
    public func stepsToDelete(_ steps: [Int]) -> [Int] {
        let sorted = steps.sorted(by: >)
        let newest = Set(sorted.prefix(keepLast))
        return sorted.reversed().filter { step in
            !newest.contains(step) && !(keepEvery > 0 && step % keepEvery == 0)
        }
    }
}
