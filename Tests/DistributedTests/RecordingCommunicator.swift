import Foundation
@testable import Distributed

/// A fake `size`-rank communicator whose peers hold the same values as this rank: a sum
/// allreduce multiplies the buffer by `size` when the request completes. It records the
/// element ranges (relative to `base`) of started nonblocking allreduces, and completes a
/// request after `testsToComplete` calls of `test()` or on `wait()`.
final class RecordingCommunicator: Communicator {
    let rank = 0
    let size: Int
    let base: UnsafeMutablePointer<Float>
    let testsToComplete: Int
    private(set) var launches: [Range<Int>] = []
    private(set) var testCalls = 0
    private(set) var waitCalls = 0
    private(set) var completed: [Range<Int>] = []
    /// When set, the launch with this index (0-based, counting all launches) throws.
    var failingLaunch: Int?

    init(size: Int, base: UnsafeMutablePointer<Float>, testsToComplete: Int = 2) {
        self.size = size
        self.base = base
        self.testsToComplete = testsToComplete
    }

    final class Request: CommunicationRequest {
        let owner: RecordingCommunicator
        let buffer: UnsafeMutableBufferPointer<Float>
        var tests = 0
        var done = false
        init(owner: RecordingCommunicator, buffer: UnsafeMutableBufferPointer<Float>) {
            self.owner = owner
            self.buffer = buffer
        }
        func complete() {
            guard !done else { return }
            done = true
            for i in buffer.indices { buffer[i] *= Float(owner.size) }
            let start = buffer.baseAddress! - owner.base
            owner.completed.append(start..<start + buffer.count)
        }
        func test() throws -> Bool {
            owner.testCalls += 1
            tests += 1
            if tests >= owner.testsToComplete { complete() }
            return done
        }
        func wait() throws {
            owner.waitCalls += 1
            complete()
        }
    }

    func allreduce<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, _ operation: ReductionOperation) throws {
        XCTFailNotExpected("blocking allreduce")
    }

    func startAllreduce<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, _ operation: ReductionOperation) throws -> CommunicationRequest {
        precondition(T.self == Float.self && operation == .sum, "the bucketer reduces Float sums")
        let floats = UnsafeMutableRawBufferPointer(buffer).bindMemory(to: Float.self)
        let start = floats.baseAddress! - base
        if launches.count == failingLaunch {
            failingLaunch = nil
            throw CommunicatorError(operation: "MPI_Iallreduce (fake)", code: 15, message: "MPI_ERR_OTHER: injected")
        }
        launches.append(start..<start + floats.count)
        return Request(owner: self, buffer: floats)
    }

    func broadcast<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, root: Int) throws { XCTFailNotExpected("broadcast") }
    func gather<T: CommunicatorScalar>(_ local: UnsafeBufferPointer<T>, root: Int) throws -> [[T]] { XCTFailNotExpected("gather"); return [] }
    func allgather<T: CommunicatorScalar>(_ local: UnsafeBufferPointer<T>) throws -> [[T]] { XCTFailNotExpected("allgather"); return [] }
    func barrier() throws {}
    func abort(code: Int32) -> Never { fatalError("abort(\(code)) called on the recording communicator") }
    func finalize() throws {}

    private func XCTFailNotExpected(_ what: String) {
        preconditionFailure("the recording communicator does not expect \(what)")
    }
}
