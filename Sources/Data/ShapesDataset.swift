import Foundation
import Tensor

/// A procedural image set needing no files: one filled shape per image (disc, square,
/// triangle or ring; the label is its kind) at a random position, size, rotation and
/// brightness/colour on a dark background, anti-aliased by 4x4 supersampling. Image `index`
/// is a pure function of (seed, index) through `CounterRNG.uniformDouble(purpose: .misc,
/// stream: 2, step: 0, sample: index, index: k)`.
public struct ShapesDataset: Dataset {
    public static let kinds = ["disc", "square", "triangle", "ring"]

    public let count: Int
    public let size: Int
    public let channels: Int
    public let seed: UInt64
    public let targetRange: ClosedRange<Float>
    public var sampleShape: [Int] { [channels, size, size] }

    public init(count: Int, size: Int = 16, channels: Int = 1, seed: UInt64, targetRange: ClosedRange<Float> = -1...1) throws {
        guard count >= 0 else { throw DataError("shapes: count \(count) is negative") }
        guard size >= 8 else { throw DataError("shapes: image size \(size) is below the minimum of 8") }
        guard channels == 1 || channels == 3 else { throw DataError("shapes: channels must be 1 or 3, got \(channels)") }
        self.count = count
        self.size = size
        self.channels = channels
        self.seed = seed
        self.targetRange = targetRange
    }

    /// The shape kind (label) of image `index`.
    public func label(_ index: Int) -> Int { min(3, Int(uniform(index, 0) * 4)) }

    private func uniform(_ index: Int, _ k: UInt32) -> Double {
        CounterRNG(seed: seed).uniformDouble(purpose: .misc, stream: 2, step: 0, sample: UInt32(truncatingIfNeeded: index), index: k)
    }

    /// Image `index` as C x H x W values in [0, 1].
    public func render(_ index: Int) -> [Float] {
        let s = Double(size)
        let kind = label(index)
        let radius = s * (0.2 + 0.15 * uniform(index, 1))
        let cx = s * (0.3 + 0.4 * uniform(index, 2)), cy = s * (0.3 + 0.4 * uniform(index, 3))
        let angle = 2 * Double.pi * uniform(index, 4)
        let background = 0.15 * uniform(index, 5)
        let colour: [Double] = channels == 1
            ? [0.6 + 0.4 * uniform(index, 6)]
            : (0..<3).map { 0.3 + 0.7 * uniform(index, 6 + UInt32($0)) }
        let (cosA, sinA) = (Foundation.cos(angle), Foundation.sin(angle))
        func inside(_ x: Double, _ y: Double) -> Bool {
            let dx = (x - cx) * cosA + (y - cy) * sinA, dy = -(x - cx) * sinA + (y - cy) * cosA
            switch kind {
            case 0: return dx * dx + dy * dy <= radius * radius
            case 1: return abs(dx) <= 0.8 * radius && abs(dy) <= 0.8 * radius
            case 2:   // equilateral triangle with circumradius `radius`: three half-planes at the inradius
                return [-90.0, 30, 150].allSatisfy { phi in
                    let p = phi * Double.pi / 180
                    return dx * Foundation.cos(p) + dy * Foundation.sin(p) <= radius / 2
                }
            default:
                let d2 = dx * dx + dy * dy
                return d2 <= radius * radius && d2 >= 0.3 * radius * radius
            }
        }
        var image = [Float](repeating: 0, count: channels * size * size)
        for i in 0..<size {
            for j in 0..<size {
                var covered = 0
                for a in 0..<4 {
                    for b in 0..<4 where inside(Double(j) + (Double(b) + 0.5) / 4, Double(i) + (Double(a) + 0.5) / 4) {
                        covered += 1
                    }
                }
                let coverage = Double(covered) / 16
                for c in 0..<channels {
                    image[(c * size + i) * size + j] = Float(background + (colour[c] - background) * coverage)
                }
            }
        }
        return image
    }

    public func samples(_ indices: [Int]) throws -> Tensor {
        checkIndices(indices, "ShapesDataset")
        let scaling = ValueScaling(stored: 0...1, target: targetRange)
        let per = channels * size * size
        let out = Tensor(uninitialized: [indices.count] + sampleShape)
        for (k, index) in indices.enumerated() {
            let image = render(index)
            for e in 0..<per { out.pointer[k * per + e] = scaling(image[e]) }
        }
        return out
    }

    public func labels(_ indices: [Int]) throws -> [Int64]? {
        checkIndices(indices, "ShapesDataset")
        return indices.map { Int64(label($0)) }
    }
}
