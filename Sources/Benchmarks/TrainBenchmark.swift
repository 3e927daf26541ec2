import Autograd
import Diffusion
import Distributed
import Foundation
import NN
import Tensor

/// The training and sampling step of `bench/torch_reference.py`, timed in Diffuse: the spec
/// UNet (dropout 0) under a Karras denoiser (Karras et al. 2022) on the VP schedule
/// (alpha_t = exp(t^2 log alpha_min), sigma_t = sqrt(1 - alpha_t^2 + sigma_min^2)), t ~ U(0, 1),
/// loss mean_b w_b ||d(x_t) - x||^2, Adam (lr 1e-4). A training step is zero-grad, forward,
/// backward, Adam; a sampling step is one forward pass without the graph. Times are medians
/// of `steps` timed steps after `warmup` untimed ones.
///
/// On more than one rank (`mpirun`), each rank takes `batch / size` of the configuration's
/// batch and the gradients are averaged during backward by the Trainer's pieces: a
/// `GradientBucketer` over the `ParameterSet`'s flat gradient, fed by `BackwardHooks`; the time
/// `finish()` blocks after backward is the exposed communication per step.
public struct TrainBenchmark {
    /// A benchmark configuration: the UNet, the image size and the batch.
    public struct Config: Sendable {
        public var name: String
        public var unet: UNetConfig
        public var imageSize: Int
        public var batch: Int

        /// The network's convolutions at this image size and batch (`UNetConvolutions`).
        public var convolutions: UNetConvolutions {
            UNetConvolutions(unet, height: imageSize, width: imageSize, batch: batch)
        }

        /// mnist: 1x28x28, channels [32, 64, 128], attention at depth 2, batch 64.
        public static let mnist = Config(name: "mnist", unet: UNetConfig(
            inChannels: 1, channelsPerDepth: [32, 64, 128], attentionDepths: [2], posDim: 32, embDim: 128, numGroups: 8, dropout: 0),
            imageSize: 28, batch: 64)
        /// cifar-small: 3x32x32, channels [64, 128, 256], attention at depth 2, batch 32.
        public static let cifarSmall = Config(name: "cifar-small", unet: UNetConfig(
            inChannels: 3, channelsPerDepth: [64, 128, 256], attentionDepths: [2], posDim: 64, embDim: 256, numGroups: 32, dropout: 0),
            imageSize: 32, batch: 32)
        /// ddpm-cifar10 (Ho et al., 2020): 3x32x32, channels [128, 256, 256, 256], attention at depth 1, batch 8.
        public static let ddpmCifar10 = Config(name: "ddpm-cifar10", unet: UNetConfig(
            inChannels: 3, channelsPerDepth: [128, 256, 256, 256], attentionDepths: [1], posDim: 128, embDim: 512, numGroups: 32, dropout: 0),
            imageSize: 32, batch: 8)

        /// The configurations of `bench/torch_reference.py` (same UNets and batches).
        public static let all: [Config] = [mnist, cifarSmall, ddpmCifar10]

        public static func named(_ name: String) -> Config? { all.first { $0.name == name } }
    }

    /// Medians and derived rates of one configuration.
    public struct Result: Sendable {
        public var config: String
        public var params: Int
        /// Global batch (all ranks).
        public var batch: Int
        public var ranks: Int
        /// Forward FLOPs per image of the convolutions and linear layers (attention matmuls left
        /// out, as torch_reference.py does); a training step counts 3x.
        public var forwardFlopsPerImage: Double
        public var trainStepSeconds: Double?
        public var forwardStepSeconds: Double?
        /// Median time per step blocked in `GradientBucketer.finish()` (multi-rank only).
        public var exposedCommunicationSeconds: Double?
        /// Best rate of a 1024^3 sgemm measured in the same run (GFLOP/s).
        public var sgemmGflops: Double
        public var peakRSSMB: Double
        /// Times (and so rates) are by the process's CPU clock rather than the wall clock.
        public var cpuTime = false
        /// The precision the convolutions and matrix products ran in (`PrecisionMode`).
        public var precision = MixedPrecision.mode.rawValue

        public var trainImagesPerSecond: Double? { trainStepSeconds.map { Double(batch) / $0 } }
        public var forwardImagesPerSecond: Double? { forwardStepSeconds.map { Double(batch) / $0 } }
        public var trainGflopsPerImage: Double { 3 * forwardFlopsPerImage / 1e9 }
        public var trainGflops: Double? { trainImagesPerSecond.map { $0 * trainGflopsPerImage } }
        public var forwardGflops: Double? { forwardImagesPerSecond.map { $0 * forwardFlopsPerImage / 1e9 } }

        /// Human-readable lines.
        public var summary: String {
            var lines = ["\(config) (\(precision)): \(params) parameters, batch \(batch)" + (ranks > 1 ? " over \(ranks) ranks" : "")
                         + String(format: ", sgemm %.1f GFLOP/s, peak RSS %.0f MB", sgemmGflops, peakRSSMB)]
            if let ips = trainImagesPerSecond, let g = trainGflops, let s = trainStepSeconds {
                lines.append(String(format: "  train:   %.2f img/s, step %.1f ms, %.2f GFLOP/img, %.1f GFLOP/s = %.2f of sgemm",
                                    ips, s * 1e3, trainGflopsPerImage, g, g / sgemmGflops))
            }
            if let e = exposedCommunicationSeconds, let s = trainStepSeconds {
                lines.append(String(format: "  exposed communication: %.1f ms per step (%.1f%% of the step)", e * 1e3, 100 * e / s))
            }
            if let ips = forwardImagesPerSecond, let g = forwardGflops, let s = forwardStepSeconds {
                lines.append(String(format: "  forward: %.2f img/s, step %.1f ms, %.2f GFLOP/img, %.1f GFLOP/s = %.2f of sgemm",
                                    ips, s * 1e3, forwardFlopsPerImage / 1e9, g, g / sgemmGflops))
            }
            return lines.joined(separator: "\n")
        }

        /// One JSON object with torch_reference.py's keys (those measured), plus sgemm and ranks.
        public var json: String {
            var fields: [(String, String)] = [("config", "\"\(config)\""), ("precision", "\"\(precision)\""),
                                              ("params", "\(params)"), ("batch", "\(batch)")]
            func number(_ x: Double) -> String { x.isFinite ? String(format: "%.6g", x) : "null" }
            if let v = trainImagesPerSecond { fields.append(("train_img_per_s", number(v))) }
            if let v = forwardImagesPerSecond { fields.append(("forward_img_per_s", number(v))) }
            fields.append(("train_gflop_per_img", number(trainGflopsPerImage)))
            if let v = trainGflops { fields.append(("train_gflop_per_s", number(v))) }
            if let v = forwardGflops { fields.append(("forward_gflop_per_s", number(v))) }
            fields.append(("peak_rss_mb", number(peakRSSMB)))
            fields.append(("sgemm_gflop_per_s", number(sgemmGflops)))
            fields.append(("ranks", "\(ranks)"))
            fields.append(("clock", cpuTime ? "\"cpu\"" : "\"wall\""))
            if let v = exposedCommunicationSeconds { fields.append(("exposed_comm_ms", number(v * 1e3))) }
            return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
        }
    }

    public var steps: Int
    public var warmup: Int
    /// Time steps by the process's CPU clock (all threads) instead of the wall clock: robust on
    /// a shared machine, where other work and a hypervisor's steal time stretch wall time.
    public var cpuTime: Bool
    public var communicator: any Communicator
    /// Gradient bucket sizes of the multi-rank step, bytes (`distributed.first_bucket_mb`, `bucket_mb`).
    public var firstBucketBytes = GradientBucketer.defaultFirstBucketBytes
    public var bucketBytes = GradientBucketer.defaultBucketBytes

    public init(steps: Int = 10, warmup: Int = 2, cpuTime: Bool = false,
                communicator: any Communicator = SingleProcessCommunicator()) {
        precondition(steps >= 1 && warmup >= 0, "TrainBenchmark: steps \(steps) must be >= 1, warmup \(warmup) >= 0")
        self.steps = steps
        self.warmup = warmup
        self.cpuTime = cpuTime
        self.communicator = communicator
    }

    /// Times training steps (`train`) and/or forward-only steps (`forward`) of one configuration.
    public func run(_ config: Config, train: Bool, forward: Bool) throws -> Result {
        let ranks = communicator.size
        guard config.batch % ranks == 0 else {
            throw BenchmarkError("\(config.name): batch \(config.batch) does not split over \(ranks) ranks")
        }
        let localBatch = config.batch / ranks, firstSample = communicator.rank * localBatch
        let model = UNet(config.unet, seed: 0)
        let parameters = ParameterSet(model)
        let rng = CounterRNG(seed: 0)
        let shape = [localBatch, config.unet.inChannels, config.imageSize, config.imageSize]
        let x = rng.uniform(shape, purpose: .misc, step: 0, firstSample: firstSample)
        x.assign(x.map { 2 * $0 - 1 })

        let sgemm = Self.sgemmGflops(clock: KernelBenchmark.clock(cpuTime: cpuTime))
        var result = Result(config: config.name, params: parameters.count, batch: config.batch, ranks: ranks,
                            forwardFlopsPerImage: Self.forwardFlopsPerImage(config, parameters: parameters),
                            sgemmGflops: sgemm, peakRSSMB: 0, cpuTime: cpuTime)
        if train {
            let (step, exposed) = try timeTraining(model: model, parameters: parameters, x: x, rng: rng,
                                                   globalBatch: config.batch, firstSample: firstSample)
            result.trainStepSeconds = step
            if ranks > 1 { result.exposedCommunicationSeconds = exposed }
        }
        if forward {
            let c = Variable(Tensor(zeros: [localBatch]))
            let xv = Variable(x)
            result.forwardStepSeconds = try medianTime {
                withNoGrad { _ = model.forward(xv, c, context: .inference) }
            }
        }
        result.peakRSSMB = Self.peakRSSMB()
        return result
    }

    /// Median step time and median exposed communication of training steps.
    func timeTraining(model: UNet, parameters: ParameterSet, x: Tensor, rng: CounterRNG,
                      globalBatch: Int, firstSample: Int) throws -> (step: Double, exposed: Double) {
        let denoiser = KarrasDenoiser(backbone: model, schedule: VPSchedule())
        let optimizer = Adam(parameters, lr: 1e-4)
        let bucketer = GradientBucketer(gradients: parameters.grads, parameterRanges: parameters.ranges, communicator: communicator,
                                        firstBucketBytes: firstBucketBytes, bucketBytes: bucketBytes)
        var index: [ObjectIdentifier: Int] = [:]
        for (i, v) in parameters.variables.enumerated() { index[ObjectIdentifier(v)] = i }
        let hooks = communicator.size > 1
            ? BackwardHooks(leafReady: { v in if let i = index[ObjectIdentifier(v)] { bucketer.markReady(i) } },
                            afterNode: { bucketer.progress() })
            : BackwardHooks()
        var exposed: [Double] = []
        var stepIndex: UInt32 = 0
        let step = try medianTime {
            let context = ForwardContext(training: true, rng: rng, step: stepIndex, firstSample: firstSample)
            parameters.zeroGrad()
            let before = bucketer.statistics.exposedSeconds
            BF16WeightCache.shared.step {   // one bf16 copy of each weight per step (mixed precision only)
                let loss = denoiser.loss(x, sampling: .uniform, rng: rng, step: stepIndex, firstSample: firstSample,
                                         globalBatchSize: globalBatch, context: context)
                loss.backward(hooks: hooks)
            }
            if communicator.size > 1 { try bucketer.finish() }
            exposed.append(bucketer.statistics.exposedSeconds - before)
            optimizer.step()
            stepIndex &+= 1
        }
        return (step, Self.median(Array(exposed.dropFirst(warmup))))
    }

    /// Runs `warmup + steps` times; the median wall (or CPU) time of the last `steps` (the
    /// maximum over ranks per step, after a barrier, so all ranks agree).
    func medianTime(_ body: () throws -> Void) throws -> Double {
        let clock = KernelBenchmark.clock(cpuTime: cpuTime)
        var times: [Double] = []
        for i in 0..<(warmup + steps) {
            try communicator.barrier()
            let start = clock()
            try body()
            var elapsed = [clock() - start]
            try communicator.allreduce(&elapsed, .max)
            if i >= warmup { times.append(elapsed[0]) }
        }
        return Self.median(times)
    }

    /// Forward FLOPs per image: every convolution (`UNetConvolutions`) plus every linear layer
    /// (2-D weights `[out, in]`: 2 out in), the count of torch_reference.py's hooks.
    public static func forwardFlopsPerImage(_ config: Config, parameters: ParameterSet) -> Double {
        let conv = config.convolutions.forwardFlopsPerImage
        let linear = parameters.shapes.filter { $0.count == 2 }.reduce(0.0) { $0 + 2 * Double($1[0] * $1[1]) }
        return conv + linear
    }

    /// Best of 3 (after one warm-up) 1024 x 1024 x 1024 sgemms, in GFLOP/s by `clock`.
    public static func sgemmGflops(size n: Int = 1024, clock: () -> Double = monotonicSeconds) -> Double {
        let a = Tensor(shape: [n, n], repeating: 0.5), b = Tensor(shape: [n, n], repeating: 0.25), c = Tensor(zeros: [n, n])
        var best = Double.infinity
        for i in 0..<4 {
            let start = clock()
            Gemm.sgemm(m: n, n: n, k: n, a: a.pointer, lda: n, b: b.pointer, ldb: n, c: c.pointer, ldc: n)
            if i > 0 { best = min(best, clock() - start) }
        }
        return 2 * Double(n * n * n) / best / 1e9
    }

    /// Peak resident set size of this process (getrusage: kilobytes on Linux, bytes on macOS).
    public static func peakRSSMB() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024
        #else
        getrusage(RUSAGE_SELF, &usage)
        return Double(usage.ru_maxrss) / 1_048_576
        #endif
    }

    static func median(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return .nan }
        let s = xs.sorted(), m = s.count / 2
        return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
    }

}
