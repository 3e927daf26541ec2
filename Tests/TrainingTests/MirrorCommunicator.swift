import Distributed
import Foundation

/// A fake `size`-rank communicator (this process is rank 0) whose peers hold the same values
/// as this rank: a sum multiplies by `size`, max and min leave values as they are, broadcast
/// from rank 0 and barriers do nothing. It records every collective with the value of `clock`
/// (e.g. the number of forward passes so far) when it was called, and for each nonblocking
/// Float sum (a gradient bucket) whether it was tested (MPI_Test from `GradientBucketer.progress`,
/// i.e. during the backward pass) before it was waited for.
final class MirrorCommunicator: Communicator {
    struct Launch {
        /// `clock` when the bucket was launched.
        var clock: Int
        var elements: Int
        var testedBeforeWait = false
    }

    let rank = 0
    let size: Int
    let clock: () -> Int
    private(set) var gradientLaunches: [Launch] = []
    /// (`clock`, element type, operation) of each blocking allreduce.
    private(set) var blockingAllreduces: [(clock: Int, type: String, operation: ReductionOperation)] = []

    init(size: Int, clock: @escaping () -> Int) {
        self.size = size
        self.clock = clock
    }

    final class Request: CommunicationRequest {
        let finish: () -> Void
        let onTest: () -> Void
        var done = false
        init(onTest: @escaping () -> Void = {}, finish: @escaping () -> Void) {
            self.onTest = onTest
            self.finish = finish
        }
        func complete() {
            guard !done else { return }
            done = true
            finish()
        }
        func test() throws -> Bool {
            if !done { onTest() }
            complete()
            return true
        }
        func wait() throws { complete() }
    }

    func reduce<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, _ operation: ReductionOperation) {
        guard operation == .sum else { return }
        let n = T(exactly: size)!
        for i in buffer.indices { buffer[i] = buffer[i] * n }
    }

    func allreduce<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, _ operation: ReductionOperation) throws {
        blockingAllreduces.append((clock(), "\(T.self)", operation))
        reduce(buffer, operation)
    }

    func startAllreduce<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, _ operation: ReductionOperation) throws -> CommunicationRequest {
        guard T.self == Float.self && operation == .sum else {
            return Request { self.reduce(buffer, operation) }
        }
        let k = gradientLaunches.count
        gradientLaunches.append(Launch(clock: clock(), elements: buffer.count))
        return Request(onTest: { self.gradientLaunches[k].testedBeforeWait = true }, finish: { self.reduce(buffer, operation) })
    }

    func broadcast<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, root: Int) throws {
        precondition(root == 0, "the mirror communicator is rank 0; broadcast from \(root)")
    }
    func gather<T: CommunicatorScalar>(_ local: UnsafeBufferPointer<T>, root: Int) throws -> [[T]] {
        Array(repeating: Array(local), count: size)
    }
    func allgather<T: CommunicatorScalar>(_ local: UnsafeBufferPointer<T>) throws -> [[T]] {
        Array(repeating: Array(local), count: size)
    }
    func barrier() throws {}
    func abort(code: Int32) -> Never { fatalError("abort(\(code)) called on the mirror communicator") }
    func finalize() throws {}
}
