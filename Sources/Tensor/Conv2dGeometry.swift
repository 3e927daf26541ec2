/// The shapes of a 2-D convolution with zero padding, and its lowering to GEMM.
///
/// `outHeight = (height + 2 padding - kernelHeight) / stride + 1` (floor), likewise for the
/// width. Lowered by im2col, sample `b` is the GEMM `Y_b[Cout, N] = W[Cout, K] cols_b[K, N]`
/// with `K = inChannels * kernelHeight * kernelWidth` (`patchSize`) and
/// `N = outHeight * outWidth` (`outPixels`).
public struct Conv2dGeometry: Equatable, Sendable, CustomStringConvertible {
    public var batch: Int
    public var inChannels: Int
    public var height: Int
    public var width: Int
    public var outChannels: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var stride: Int
    public var padding: Int

    public init(batch: Int, inChannels: Int, height: Int, width: Int, outChannels: Int,
                kernelHeight: Int, kernelWidth: Int, stride: Int = 1, padding: Int = 0) {
        precondition(stride >= 1 && padding >= 0, "conv2d: stride \(stride) must be >= 1 and padding \(padding) >= 0")
        precondition(height + 2 * padding >= kernelHeight && width + 2 * padding >= kernelWidth,
                     "conv2d: kernel \(kernelHeight)x\(kernelWidth) larger than the padded input \(height)x\(width) (padding \(padding))")
        self.batch = batch
        self.inChannels = inChannels
        self.height = height
        self.width = width
        self.outChannels = outChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.padding = padding
    }

    /// Geometry of `x` `[B, Cin, H, W]` convolved with `weight` `[Cout, Cin, kh, kw]`;
    /// fails with both shapes when they do not fit.
    public init(input x: [Int], weight w: [Int], stride: Int, padding: Int) {
        precondition(x.count == 4 && w.count == 4 && x[1] == w[1],
                     "conv2d: input \(x) does not match weight \(w) (expected [B, Cin, H, W] and [Cout, Cin, kh, kw])")
        self.init(batch: x[0], inChannels: x[1], height: x[2], width: x[3], outChannels: w[0],
                  kernelHeight: w[2], kernelWidth: w[3], stride: stride, padding: padding)
    }

    public var outHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
    public var outWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
    /// `K`: rows of the im2col matrix.
    public var patchSize: Int { inChannels * kernelHeight * kernelWidth }
    /// `N` per sample: columns of the im2col matrix.
    public var outPixels: Int { outHeight * outWidth }
    public var inputShape: [Int] { [batch, inChannels, height, width] }
    public var weightShape: [Int] { [outChannels, inChannels, kernelHeight, kernelWidth] }
    public var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }
    /// A 1x1, stride-1, unpadded convolution: each sample's input already is its im2col matrix.
    public var isPointwise: Bool { kernelHeight == 1 && kernelWidth == 1 && stride == 1 && padding == 0 }
    /// Multiply-adds times two of the forward pass (the same for each backward GEMM).
    public var forwardFlops: Double { 2 * Double(outChannels) * Double(patchSize) * Double(batch * outPixels) }

    public var description: String {
        "\(batch)x\(inChannels)x\(height)x\(width) * \(outChannels)x\(inChannels)x\(kernelHeight)x\(kernelWidth) s\(stride) p\(padding)"
    }
}
