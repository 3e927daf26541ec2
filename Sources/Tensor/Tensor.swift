/// A dense Float32 tensor: a shape and a contiguous, row-major window into shared storage.
///
/// Layout is NCHW for images. A `Tensor` is a view: copies of the struct share memory, and
/// writing through one (`withUnsafeMutableBufferPointer`, the in-place kernels) is seen by
/// all views of the same storage. Parameters are views into one flat buffer for this reason.
/// Use `copy()` for an independent tensor.
public struct Tensor: @unchecked Sendable {
    public let shape: [Int]
    public let storage: TensorStorage
    public let offset: Int

    /// Number of elements.
    public var count: Int { Tensor.count(of: shape) }
    public var rank: Int { shape.count }
    /// Pointer to the first element (valid while `storage` is alive).
    public var pointer: UnsafeMutablePointer<Float> { storage.pointer + offset }

    public static func count(of shape: [Int]) -> Int { shape.reduce(1, *) }

    /// Wraps existing storage.
    public init(shape: [Int], storage: TensorStorage, offset: Int = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        precondition(offset >= 0 && offset + Tensor.count(of: shape) <= storage.count,
                     "Tensor: view of shape \(shape) at offset \(offset) exceeds storage of \(storage.count) elements")
        self.shape = shape
        self.storage = storage
        self.offset = offset
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(count: Tensor.count(of: shape)))
    }

    /// A tensor whose contents will be fully overwritten by the caller (no zero fill).
    public init(uninitialized shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(count: Tensor.count(of: shape), zeroed: false))
    }

    public init(shape: [Int], repeating value: Float) {
        self.init(uninitialized: shape)
        pointer.update(repeating: value, count: count)
    }

    public init(shape: [Int], values: [Float]) {
        precondition(values.count == Tensor.count(of: shape),
                     "Tensor: \(values.count) values do not fill shape \(shape) (\(Tensor.count(of: shape)) elements)")
        self.init(uninitialized: shape)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    /// A rank-0 tensor.
    public init(scalar: Float) { self.init(shape: [], values: [scalar]) }

    /// The elements in row-major order.
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// The single element of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "Tensor.item: tensor of shape \(shape) has \(count) elements, not 1")
        return pointer[0]
    }

    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: pointer, count: count))
    }

    /// Writes through to every view sharing this storage.
    public func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeMutableBufferPointer(start: pointer, count: count))
    }

    /// A view with another shape of the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var s = newShape
        if let i = s.firstIndex(of: -1) {
            let rest = s.enumerated().filter { $0.offset != i }.map(\.element).reduce(1, *)
            precondition(rest > 0 && count % rest == 0, "Tensor.reshaped: cannot infer -1 in \(newShape) from shape \(shape)")
            s[i] = count / rest
        }
        precondition(Tensor.count(of: s) == count, "Tensor.reshaped: shape \(shape) (\(count) elements) cannot become \(newShape)")
        return Tensor(shape: s, storage: storage, offset: offset)
    }

    /// A view of rows `range` along the first axis.
    public func slice(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0],
                     "Tensor.slice: rows \(range) out of bounds for shape \(shape)")
        let inner = shape.dropFirst().reduce(1, *)
        return Tensor(shape: [range.count] + shape.dropFirst(), storage: storage, offset: offset + range.lowerBound * inner)
    }

    /// An independent copy.
    public func copy() -> Tensor {
        let t = Tensor(uninitialized: shape)
        t.pointer.update(from: pointer, count: count)
        return t
    }

    /// Copies `other`'s elements into this tensor's memory (shapes must match in count).
    public func assign(_ other: Tensor) {
        precondition(other.count == count, "Tensor.assign: shape \(other.shape) into shape \(shape)")
        pointer.update(from: other.pointer, count: count)
    }

    public func fill(_ value: Float) { pointer.update(repeating: value, count: count) }

    /// Checks two shapes are equal, failing with a message naming both.
    @inline(__always)
    public static func checkSameShape(_ a: Tensor, _ b: Tensor, _ op: @autoclosure () -> String) {
        if a.shape != b.shape { preconditionFailure("\(op()): shapes \(a.shape) and \(b.shape) differ") }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = count <= 16 ? "\(scalars)" : "\(Array(scalars.prefix(8))) ..."
        return "Tensor(shape: \(shape), \(shown))"
    }
}
