import Foundation

/// The process's one wall clock for durations: seconds since an arbitrary fixed point, from the
/// monotonic `CLOCK_MONOTONIC`-based `DispatchTime` (never steps back when the system time is set).
/// Durations are differences of two readings, `t₁ − t₀`.
///
/// The trainer's step times, the gradient bucketer's exposed-allreduce times, the sample and
/// evaluation phases and the kernel benchmarks all read this clock. The benchmarks' other clock,
/// the process CPU time, is `KernelBenchmark.processCPUSeconds()`.
public func monotonicSeconds() -> Double {
    Double(DispatchTime.now().uptimeNanoseconds) * 1e-9
}
