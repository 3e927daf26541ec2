/// Records the input shape of every `Conv2d` call made while it is installed
/// (`ConvTrace.$recorder.withValue(trace) { ... }`, for the calling task only): how a test
/// checks `UNetConvolutions` against the shapes a forward pass really produces.
public final class ConvTrace: @unchecked Sendable {
    @TaskLocal public static var recorder: ConvTrace?

    /// Each call in order: the layer and the input `[B, C, H, W]` it received.
    public private(set) var calls: [(conv: Conv2d, input: [Int])] = []

    public init() {}

    func record(_ conv: Conv2d, input: [Int]) { calls.append((conv, input)) }
}
