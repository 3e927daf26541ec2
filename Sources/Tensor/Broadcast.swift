/// NumPy broadcasting for element-wise binary kernels.
///
/// Shapes are aligned on the right; a dimension of size 1 (or a missing leading one) is
/// repeated to match the other shape. `[B,C,H,W]` with `[B,C,1,1]`, `[1,C,1,1]`, `[B,1,1,1]`
/// or `[]` are the cases the UNet needs; any compatible shapes work.
///
/// Kernels collapse runs of adjacent dimensions that broadcast the same way into one, so that
/// every case above becomes at most `[rows, inner]` with a contiguous (or constant) inner loop.

/// An incompatible combination of shapes (or axes) given to a shape-checked operation.
public struct ShapeError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// An element-wise binary function usable by the broadcasting kernel.
public protocol BinaryFunction {
    static func apply(_ a: Float, _ b: Float) -> Float
}

public enum AddFunction: BinaryFunction {
    @inlinable @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { a + b }
}
public enum SubtractFunction: BinaryFunction {
    @inlinable @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { a - b }
}
public enum MultiplyFunction: BinaryFunction {
    @inlinable @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { a * b }
}
public enum DivideFunction: BinaryFunction {
    @inlinable @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { a / b }
}

/// A broadcast iteration space: collapsed output dimensions and, per input, its element
/// strides along them (0 where the input is broadcast).
public struct BroadcastLayout {
    public var dims: [Int]
    public var strides: [[Int]]

    /// Collapses `outShape` for inputs of shapes `inputShapes` (each broadcastable to it).
    public init(outShape: [Int], inputShapes: [[Int]]) {
        let n = outShape.count
        let padded = inputShapes.map { [Int](repeating: 1, count: n - $0.count) + $0 }
        var dims: [Int] = []
        var flags: [[Bool]] = []           // per collapsed dim, per input: broadcast?
        for i in 0..<n where outShape[i] != 1 {
            let f = padded.map { $0[i] == 1 }
            if let last = flags.last, last == f {
                dims[dims.count - 1] *= outShape[i]
            } else {
                dims.append(outShape[i])
                flags.append(f)
            }
        }
        if dims.isEmpty {
            dims = [1]
            flags = [padded.map { _ in false }]
        }
        self.dims = dims
        strides = (0..<inputShapes.count).map { k in
            var s = [Int](repeating: 0, count: dims.count)
            var acc = 1
            for d in stride(from: dims.count - 1, through: 0, by: -1) where !flags[d][k] {
                s[d] = acc
                acc *= dims[d]
            }
            return s
        }
    }

    public var count: Int { dims.reduce(1, *) }

    /// The element offset in input `k` of the first element of row `row` (rows are the
    /// iteration space without its last dimension).
    @inlinable @inline(__always)
    public func rowOffset(_ row: Int, input k: Int) -> Int {
        var r = row, off = 0
        let s = strides[k]
        var d = dims.count - 2
        while d >= 0 {
            let size = dims[d]
            off += (r % size) * s[d]
            r /= size
            d -= 1
        }
        return off
    }
}

extension Tensor {
    /// The broadcast of two shapes (NumPy rules), or a `ShapeError` naming both.
    public static func broadcastShape(_ a: [Int], _ b: [Int]) throws -> [Int] {
        let n = Swift.max(a.count, b.count)
        var out = [Int](repeating: 1, count: n)
        for i in 0..<n {
            let da = i < n - a.count ? 1 : a[i - (n - a.count)]
            let db = i < n - b.count ? 1 : b[i - (n - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else {
                throw ShapeError("cannot broadcast shapes \(a) and \(b): dimension \(i) is \(da) vs \(db)")
            }
        }
        return out
    }

    /// `broadcastShape` for library-internal calls: a mismatch is a programmer error.
    public static func checkedBroadcastShape(_ a: [Int], _ b: [Int], _ op: String) -> [Int] {
        do { return try broadcastShape(a, b) } catch { preconditionFailure("\(op): \(error)") }
    }

    /// `F(a, b)` element-wise with broadcasting, into a new tensor.
    @inlinable
    public static func broadcastBinary<F: BinaryFunction>(_ a: Tensor, _ b: Tensor, _: F.Type, op: String = "binary") -> Tensor {
        let outShape = a.shape == b.shape ? a.shape : checkedBroadcastShape(a.shape, b.shape, op)
        let out = Tensor(uninitialized: outShape)
        let pa = a.pointer, pb = b.pointer, po = out.pointer
        if a.shape == b.shape {
            Parallel.forChunks(out.count) { r in for i in r { po[i] = F.apply(pa[i], pb[i]) } }
            return out
        }
        let layout = BroadcastLayout(outShape: outShape, inputShapes: [a.shape, b.shape])
        let inner = layout.dims.last!
        let ia = layout.strides[0].last!, ib = layout.strides[1].last!
        let rows = out.count / Swift.max(inner, 1)
        Parallel.forChunks(rows, cost: inner) { range in
            for row in range {
                let x = pa + layout.rowOffset(row, input: 0)
                let y = pb + layout.rowOffset(row, input: 1)
                let o = po + row * inner
                switch (ia, ib) {
                case (1, 1): for i in 0..<inner { o[i] = F.apply(x[i], y[i]) }
                case (1, _): let yv = y[0]; for i in 0..<inner { o[i] = F.apply(x[i], yv) }
                case (_, 1): let xv = x[0]; for i in 0..<inner { o[i] = F.apply(xv, y[i]) }
                default: let v = F.apply(x[0], y[0]); for i in 0..<inner { o[i] = v }
                }
            }
        }
        return out
    }

    /// `a + b` with broadcasting.
    public static func add(_ a: Tensor, _ b: Tensor) -> Tensor { broadcastBinary(a, b, AddFunction.self, op: "add") }
    /// `a - b` with broadcasting.
    public static func subtract(_ a: Tensor, _ b: Tensor) -> Tensor { broadcastBinary(a, b, SubtractFunction.self, op: "subtract") }
    /// `a * b` with broadcasting.
    public static func multiply(_ a: Tensor, _ b: Tensor) -> Tensor { broadcastBinary(a, b, MultiplyFunction.self, op: "multiply") }
    /// `a / b` with broadcasting.
    public static func divide(_ a: Tensor, _ b: Tensor) -> Tensor { broadcastBinary(a, b, DivideFunction.self, op: "divide") }

    /// This tensor repeated along broadcast dimensions to `shape` (a new tensor).
    public func broadcasted(to shape: [Int]) -> Tensor {
        let target = Tensor.checkedBroadcastShape(self.shape, shape, "broadcasted(to:)")
        precondition(target == shape, "broadcasted(to:): shape \(self.shape) does not broadcast to \(shape)")
        if self.shape == shape { return copy() }
        let out = Tensor(uninitialized: shape)
        let layout = BroadcastLayout(outShape: shape, inputShapes: [self.shape])
        let inner = layout.dims.last!, ia = layout.strides[0].last!
        let rows = out.count / Swift.max(inner, 1)
        let pa = pointer, po = out.pointer
        Parallel.forChunks(rows, cost: inner) { range in
            for row in range {
                let x = pa + layout.rowOffset(row, input: 0)
                let o = po + row * inner
                if ia == 1 { o.update(from: x, count: inner) } else { o.update(repeating: x[0], count: inner) }
            }
        }
        return out
    }

    /// The sum of this tensor over the dimensions along which `shape` was broadcast to give
    /// this tensor's shape: the gradient of a broadcast input. Returns `self` if shapes match.
    public func summed(toShape shape: [Int]) -> Tensor {
        if self.shape == shape { return self }
        let target = Tensor.checkedBroadcastShape(shape, self.shape, "summed(toShape:)")
        precondition(target == self.shape, "summed(toShape:): shape \(shape) does not broadcast to \(self.shape)")
        let lead = self.shape.count - shape.count
        var axes: [Int] = Array(0..<lead)
        for (i, d) in shape.enumerated() where d == 1 && self.shape[lead + i] != 1 { axes.append(lead + i) }
        return sum(axes: axes, keepDims: true).reshaped(shape)
    }
}
