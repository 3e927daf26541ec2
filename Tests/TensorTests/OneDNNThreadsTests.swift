import CDNNL
import Foundation
import XCTest
@testable import Tensor

/// oneDNN fixes a primitive's OpenMP thread count when it builds it. A convolution plan runs on
/// one worker, so it must be built for one thread whatever the building thread's OpenMP default:
/// otherwise each run starts a team of OpenMP threads that spin beside the workers (a resumed
/// 2-rank run, whose plans were all built at first use, trained 1.6x slower).
final class OneDNNThreadsTests: XCTestCase {
    /// Threads of this process, from `/proc/self/status`.
    private static func processThreads() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("Threads:") } ?? "Threads: 0"
        return Int(line.split(separator: "\t").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "0") ?? 0
    }

    func testAPlanBuiltWhereOpenMPDefaultsToSeveralThreadsRunsWithoutAnOpenMPTeam() {
        XCTAssertTrue(OneDNNConv.available, "oneDNN's CPU engine must be available")
        // A shape no other test uses (a fresh plan, built below); batch 1 is one chunk, run on
        // the calling thread.
        let x = Tensor(shape: [1, 13, 11, 11], values: (0..<(13 * 121)).map { Float($0 % 7) - 3 })
        let w = Tensor(shape: [9, 13, 3, 3], values: (0..<(9 * 13 * 9)).map { Float($0 % 5) * 0.1 - 0.2 })
        let g = Conv2dGeometry(input: x.shape, weight: w.shape, stride: 1, padding: 1)
        final class Observed: @unchecked Sendable {   // written by the thread before `done`, read after
            var before = 0, after = 0
            var shape: [Int] = []
        }
        let seen = Observed()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            omp_set_num_threads(4)   // OpenMP's default on a 4-CPU machine, on a thread that never set it
            seen.before = Self.processThreads()
            seen.shape = OneDNNConv.forward(x, weight: w, bias: nil, geometry: g).shape
            seen.after = Self.processThreads()   // an OpenMP team's threads outlive the region, while this thread lives
            done.signal()
            Thread.sleep(forTimeInterval: 0.2)
        }
        thread.start()
        done.wait()
        XCTAssertEqual(seen.shape, [1, 9, 11, 11])
        XCTAssertLessThan(seen.after - seen.before, 3,
                          "running the plan started an OpenMP team (\(seen.before) -> \(seen.after) threads)")
    }
}
