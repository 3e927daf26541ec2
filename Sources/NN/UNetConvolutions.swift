import Tensor

/// Every convolution of the UNet of a `UNetConfig` with the input it sees, for the kernel
/// autotuner and the benchmarks: named as in the weights (`input_conv`, `down.1.blocks.0.conv1`,
/// `down.1.blocks.0.attn.qkv`, ...), in the order the forward pass calls them.
///
/// Derived from the model's own plan: the ResBlock channels are `UNetConfig.blockChannels()`,
/// which `UNet.init` builds its blocks from; the kernels, strides and paddings are those of
/// `ResBlock`, `AttentionBlock`, `Downsample` and `Upsample`; the resolution halves after each
/// downsample and doubles before each upsample, as in `UNet.forward`. A test compares the list
/// with the inputs `Conv2d` sees in a forward pass (`ConvTrace`).
public struct UNetConvolutions: Sendable {
    /// One convolution layer of the network.
    public struct Layer: Sendable, Equatable {
        public var name: String
        public var geometry: Conv2dGeometry
    }

    public let config: UNetConfig
    public let batch: Int
    public private(set) var layers: [Layer] = []

    /// The convolutions of `config` on `batch` images of `height` x `width` pixels.
    public init(_ config: UNetConfig, height: Int, width: Int, batch: Int) {
        self.config = config
        self.batch = batch
        let ch = config.channelsPerDepth, depths = config.depths
        var (h, w) = (height, width)
        var plan = config.blockChannels()[...]
        func conv(_ name: String, _ cin: Int, _ cout: Int, kernel: Int, stride: Int = 1) {
            layers.append(Layer(name: name, geometry: Conv2dGeometry(
                batch: batch, inChannels: cin, height: h, width: w, outChannels: cout,
                kernelHeight: kernel, kernelWidth: kernel, stride: stride, padding: kernel / 2)))
        }
        func block(_ name: String) {
            let (cin, cout, attention) = plan.removeFirst()
            conv(name + ".conv1", cin, cout, kernel: 3)
            conv(name + ".conv2", cout, cout, kernel: 3)
            if cin != cout { conv(name + ".skip", cin, cout, kernel: 1) }
            if attention {
                conv(name + ".attn.qkv", cout, 3 * cout, kernel: 1)
                conv(name + ".attn.proj", cout, cout, kernel: 1)
            }
        }
        conv("input_conv", config.inChannels, ch[0], kernel: 3)
        for d in 0..<depths {
            for i in 0..<config.numBlocks { block("down.\(d).blocks.\(i)") }
            if d < depths - 1 {
                conv("down.\(d).downsample", ch[d], ch[d], kernel: 3, stride: 2)
                (h, w) = ((h + 1) / 2, (w + 1) / 2)
            }
        }
        block("mid.block1")
        block("mid.block2")
        for d in (0..<depths).reversed() {
            for i in 0...config.numBlocks { block("up.\(d).blocks.\(i)") }
            if d > 0 {
                (h, w) = (2 * h, 2 * w)
                conv("up.\(d).upsample", ch[d], ch[d], kernel: 3)
            }
        }
        conv("out_conv", ch[0], config.outChannels, kernel: 3)
    }

    /// Distinct geometries with the layers that share them, in first-use order.
    public var distinct: [(geometry: Conv2dGeometry, layers: [String])] {
        var order: [(geometry: Conv2dGeometry, layers: [String])] = []
        for layer in layers {
            if let i = order.firstIndex(where: { $0.geometry == layer.geometry }) {
                order[i].layers.append(layer.name)
            } else {
                order.append((layer.geometry, [layer.name]))
            }
        }
        return order
    }

    /// Forward FLOPs of all convolutions per image.
    public var forwardFlopsPerImage: Double {
        layers.reduce(0) { $0 + $1.geometry.forwardFlops } / Double(max(1, batch))
    }
}
