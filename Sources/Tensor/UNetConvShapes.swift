/// The convolutions of the DDPM UNet (spec/unet.md) as geometries, for benchmarks: the
/// layout is walked with channel counts and resolutions only, and every convolution is listed
/// with its role (`input_conv`, `down.1.blocks.0.conv1`, ...).
public struct UNetConvShapes: Sendable {
    /// A UNet size as the benchmark configurations describe it.
    public struct Config: Sendable, Equatable {
        public var name: String
        public var inChannels: Int
        public var imageSize: Int
        public var channelsPerDepth: [Int]
        public var numBlocks: Int
        public var attentionDepths: [Int]
        public var batch: Int

        public init(name: String, inChannels: Int, imageSize: Int, channelsPerDepth: [Int], numBlocks: Int = 2,
                    attentionDepths: [Int], batch: Int) {
            self.name = name
            self.inChannels = inChannels
            self.imageSize = imageSize
            self.channelsPerDepth = channelsPerDepth
            self.numBlocks = numBlocks
            self.attentionDepths = attentionDepths
            self.batch = batch
        }

        /// mnist: 1x28x28, channels [32, 64, 128], attention at depth 2, batch 64.
        public static let mnist = Config(name: "mnist", inChannels: 1, imageSize: 28, channelsPerDepth: [32, 64, 128],
                                         attentionDepths: [2], batch: 64)
        /// cifar-small: 3x32x32, channels [64, 128, 256], attention at depth 2, batch 32.
        public static let cifarSmall = Config(name: "cifar-small", inChannels: 3, imageSize: 32,
                                              channelsPerDepth: [64, 128, 256], attentionDepths: [2], batch: 32)
        /// ddpm-cifar10 (Ho et al., 2020): 3x32x32, channels [128, 256, 256, 256], attention at depth 1, batch 8.
        public static let ddpmCifar10 = Config(name: "ddpm-cifar10", inChannels: 3, imageSize: 32,
                                               channelsPerDepth: [128, 256, 256, 256], attentionDepths: [1], batch: 8)
        public static let all = [mnist, cifarSmall, ddpmCifar10]
    }

    /// One convolution layer of the network.
    public struct Layer: Sendable {
        public var name: String
        public var geometry: Conv2dGeometry
    }

    public let config: Config
    public private(set) var layers: [Layer] = []

    public init(_ config: Config) {
        self.config = config
        let ch = config.channelsPerDepth, depths = ch.count, batch = config.batch
        var resolution = config.imageSize
        func conv(_ name: String, _ cin: Int, _ cout: Int, kernel: Int, stride: Int = 1) {
            let padding = kernel / 2
            layers.append(Layer(name: name, geometry: Conv2dGeometry(
                batch: batch, inChannels: cin, height: resolution, width: resolution, outChannels: cout,
                kernelHeight: kernel, kernelWidth: kernel, stride: stride, padding: padding)))
        }
        func resBlock(_ name: String, _ cin: Int, _ cout: Int, attention: Bool) {
            conv(name + ".conv1", cin, cout, kernel: 3)
            conv(name + ".conv2", cout, cout, kernel: 3)
            if cin != cout { conv(name + ".skip", cin, cout, kernel: 1) }
            if attention {
                conv(name + ".attn.qkv", cout, 3 * cout, kernel: 1)
                conv(name + ".attn.proj", cout, cout, kernel: 1)
            }
        }
        conv("input_conv", config.inChannels, ch[0], kernel: 3)
        var h = ch[0]
        var skips = [h]
        for d in 0..<depths {
            for i in 0..<config.numBlocks {
                resBlock("down.\(d).blocks.\(i)", h, ch[d], attention: config.attentionDepths.contains(d))
                h = ch[d]
                skips.append(h)
            }
            if d < depths - 1 {
                conv("down.\(d).downsample", h, h, kernel: 3, stride: 2)
                resolution /= 2
                skips.append(h)
            }
        }
        resBlock("mid.block1", h, h, attention: true)
        resBlock("mid.block2", h, h, attention: false)
        for d in (0..<depths).reversed() {
            for i in 0...config.numBlocks {
                resBlock("up.\(d).blocks.\(i)", h + skips.removeLast(), ch[d], attention: config.attentionDepths.contains(d))
                h = ch[d]
            }
            if d > 0 {
                resolution *= 2
                conv("up.\(d).upsample", h, h, kernel: 3)
            }
        }
        conv("out_conv", ch[0], config.inChannels, kernel: 3)
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
        layers.reduce(0) { $0 + $1.geometry.forwardFlops } / Double(max(1, config.batch))
    }
}
