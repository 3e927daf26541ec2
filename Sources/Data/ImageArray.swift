import Tensor

/// Samples held in memory as imported: uint8 or float32, shape [N, C, H, W] (images) or
/// [N, D] (vectors), with the nominal range of the stored values.
public struct ImageArray: Equatable {
    public enum Pixels: Equatable {
        case uint8([UInt8])
        case float32([Float])

        public var count: Int {
            switch self {
            case .uint8(let v): return v.count
            case .float32(let v): return v.count
            }
        }
    }

    public var shape: [Int]
    public var pixels: Pixels
    /// The values that map to the ends of the model range (e.g. [0, 255] for uint8 images);
    /// nil means the stored values are already model values.
    public var valueRange: ClosedRange<Double>?

    public init(shape: [Int], pixels: Pixels, valueRange: ClosedRange<Double>?) {
        precondition(shape.count >= 2, "ImageArray: shape \(shape) needs a sample axis and at least one more")
        precondition(pixels.count == shape.reduce(1, *), "ImageArray: \(pixels.count) values for shape \(shape)")
        self.shape = shape
        self.pixels = pixels
        self.valueRange = valueRange
    }

    /// uint8 pixels with range [0, 255].
    public init(shape: [Int], bytes: [UInt8]) {
        self.init(shape: shape, pixels: .uint8(bytes), valueRange: 0...255)
    }

    public var count: Int { shape[0] }
    public var sampleShape: [Int] { Array(shape.dropFirst()) }
}

/// The linear map from a stored value range to the model range:
/// y = targetLow + (x - storedLow) * (targetHigh - targetLow) / (storedHigh - storedLow).
public struct ValueScaling: Equatable {
    public let scale: Float
    public let shift: Float

    public init(stored: ClosedRange<Double>?, target: ClosedRange<Float>) {
        guard let stored = stored, stored.upperBound > stored.lowerBound else {
            scale = 1; shift = 0
            return
        }
        let s = (Double(target.upperBound) - Double(target.lowerBound)) / (stored.upperBound - stored.lowerBound)
        scale = Float(s)
        shift = Float(Double(target.lowerBound) - stored.lowerBound * s)
    }

    @inline(__always)
    public func callAsFunction(_ x: Float) -> Float { x * scale + shift }
}

/// An in-memory dataset over an `ImageArray`, scaled to `targetRange` on access.
public struct InMemoryDataset: Dataset {
    public let array: ImageArray
    public let labelValues: [Int64]?
    public let scaling: ValueScaling

    public init(_ array: ImageArray, labels: [Int64]? = nil, targetRange: ClosedRange<Float> = -1...1) {
        precondition(labels == nil || labels!.count == array.count,
                     "InMemoryDataset: \(labels!.count) labels for \(array.count) samples")
        self.array = array
        self.labelValues = labels
        self.scaling = ValueScaling(stored: array.valueRange, target: targetRange)
    }

    public var count: Int { array.count }
    public var sampleShape: [Int] { array.sampleShape }

    public func samples(_ indices: [Int]) throws -> Tensor {
        checkIndices(indices, "InMemoryDataset")
        let per = sampleShape.reduce(1, *)
        let out = Tensor(uninitialized: [indices.count] + sampleShape)
        let y = out.pointer
        for (k, index) in indices.enumerated() {
            switch array.pixels {
            case .uint8(let v):
                for e in 0..<per { y[k * per + e] = scaling(Float(v[index * per + e])) }
            case .float32(let v):
                for e in 0..<per { y[k * per + e] = scaling(v[index * per + e]) }
            }
        }
        return out
    }

    public func labels(_ indices: [Int]) throws -> [Int64]? {
        guard let labelValues = labelValues else { return nil }
        checkIndices(indices, "InMemoryDataset")
        return indices.map { labelValues[$0] }
    }
}
