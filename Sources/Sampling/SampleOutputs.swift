import Data
import Foundation
import Tensor

/// Writes the outputs of a sampling job on rank 0: the PNG grid (images mapped from [-1, 1]
/// to 0...255 and clipped; 2-D points as a scatter plot of [-4, 4]^2), the HDF5 file of all
/// samples, and the trajectory as a PNG grid (one row per sample, one column per frame) or an
/// animated GIF (one frame per time). Each file is written atomically.
public enum SampleOutputs {
    /// Returns the paths written.
    public static func write(_ result: SampleResult, options: SampleOptions, model: CheckpointModel) throws -> [String] {
        guard let samples = result.samples, let initial = result.initial else { return [] }
        var written: [String] = []
        if let out = options.out {
            try writePNG(picture(samples), columns: result.columns ?? columns(for: samples), path: out)
            written.append(out)
        }
        if let h5 = options.h5 {
            try SampleFile.write(path: h5, samples: samples, initial: initial,
                                 attributes: ["checkpoint": model.path, "weights": model.weights.rawValue,
                                              "sampler": result.sampler, "grid": (options.grid ?? model.config.sample.grid.rawValue).lowercased(),
                                              "init": options.initPath ?? "",
                                              "classes": result.labels.map { $0.map(String.init).joined(separator: ",") } ?? "",
                                              "guidance": result.labels == nil ? "" : "\(options.guidance ?? model.config.sample.guidance)"],
                                 integerAttributes: ["seed": Int64(bitPattern: options.seed), "steps": Int64(result.steps),
                                                     "checkpoint_step": Int64(model.metadata.step),
                                                     "count": Int64(samples.shape[0])])
            written.append(h5)
        }
        if let path = options.trajectory, let frames = result.trajectory {
            if path.lowercased().hasSuffix(".gif") {
                let gif = try frames.map { frame -> GIFEncoder.Frame in
                    let image = ImageGrid.image(of: try picture(frame), columns: columns(for: frame))
                    return GIFEncoder.frame(width: image.width, height: image.height, channels: image.channels, pixels: image.pixels)
                }
                let palette = gif.isEmpty || samples.rank != 4 || samples.shape[1] == 1 ? GIFEncoder.grayPalette : GIFEncoder.rgb332Palette
                let bytes = GIFEncoder.encode(frames: gif, palette: palette, delay: 25)
                try AtomicOutput.write(to: path) { try Data(bytes).write(to: URL(fileURLWithPath: $0)) }
            } else {
                try writePNG(trajectoryPicture(frames), columns: frames.count, path: path)
            }
            written.append(path)
        }
        return written
    }

    /// Images as they are; 2-D points as one scatter plot.
    static func picture(_ x: Tensor) throws -> Tensor {
        if x.rank == 4 { return x }
        if x.rank == 2 && x.shape[1] == 2 { return SampleGrid.scatter(x, size: 256, extent: 4) }
        throw SamplingError("cannot draw samples of shape \(x.shape) (expected [N, C, H, W] images or [N, 2] points)")
    }

    static func columns(for x: Tensor) -> Int {
        x.rank == 4 ? max(1, Int(Double(x.shape[0]).squareRoot().rounded(.up))) : 1
    }

    /// Images: row j holds sample j at every frame; points: one scatter plot per frame.
    static func trajectoryPicture(_ frames: [Tensor]) throws -> Tensor {
        let pictures = try frames.map { x -> Tensor in
            guard x.rank == 4 else { return try picture(x) }
            return x
        }
        let first = pictures[0]
        let k = first.shape[0], per = first.count / max(1, k)
        let f = pictures.count
        let out = Tensor(uninitialized: [k * f] + Array(first.shape.dropFirst()))
        for j in 0..<k {
            for (c, frame) in pictures.enumerated() {
                (out.pointer + (j * f + c) * per).update(from: frame.pointer + j * per, count: per)
            }
        }
        return out
    }

    static func writePNG(_ images: Tensor, columns: Int, path: String) throws {
        try AtomicOutput.write(to: path) { try ImageGrid.writePNG(images: images, columns: columns, path: $0) }
    }
}
