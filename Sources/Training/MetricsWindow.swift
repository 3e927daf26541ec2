/// Accumulates the steps between two metrics lines.
struct MetricsWindow {
    var lossSum = 0.0
    var count = 0.0
    var quartileSums = [Double](repeating: 0, count: 4)
    var quartileCounts = [Double](repeating: 0, count: 4)
    var steps = 0
    var seconds = 0.0
    var allreduceSeconds = 0.0

    mutating func add(lossSum: Double, count: Double, quartiles: [(sum: Double, count: Double)]) {
        self.lossSum += lossSum
        self.count += count
        for (q, v) in quartiles.enumerated() {
            quartileSums[q] += v.sum
            quartileCounts[q] += v.count
        }
    }

    mutating func add(seconds: Double, allreduce: Double) {
        steps += 1
        self.seconds += seconds
        allreduceSeconds += allreduce
    }

    func record(step: Int, samplesSeen: Int, gradNorm: Double, lr: Double, skipped: Int, globalBatch: Int,
                elapsed: Double) -> MetricsRecord {
        let n = Double(max(1, steps))
        return MetricsRecord(step: step, samplesSeen: samplesSeen, loss: count > 0 ? lossSum / count : .nan,
                             lossByTQuartile: (0..<4).map { quartileCounts[$0] > 0 ? quartileSums[$0] / quartileCounts[$0] : nil },
                             gradNorm: gradNorm, lr: lr,
                             imagesPerSecond: seconds > 0 ? Double(steps * globalBatch) / seconds : 0,
                             computeSeconds: (seconds - allreduceSeconds) / n, allreduceSeconds: allreduceSeconds / n,
                             skippedSteps: skipped, elapsedSeconds: elapsed)
    }
}
