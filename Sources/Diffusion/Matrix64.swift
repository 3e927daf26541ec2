import Foundation

/// A small dense Float64 matrix (row-major) for the analytic Gaussian denoiser and the
/// multistep coefficient solves: products, a Cholesky factorisation and a Gauss-Jordan solve.
public struct Matrix64: Equatable, Sendable {
    public let rows: Int
    public let cols: Int
    public var values: [Double]

    public init(rows: Int, cols: Int, values: [Double]) {
        precondition(values.count == rows * cols, "Matrix64: \(values.count) values for a \(rows)x\(cols) matrix")
        self.rows = rows
        self.cols = cols
        self.values = values
    }

    public init(zeros rows: Int, _ cols: Int) { self.init(rows: rows, cols: cols, values: Array(repeating: 0, count: rows * cols)) }

    public static func identity(_ n: Int) -> Matrix64 {
        var m = Matrix64(zeros: n, n)
        for i in 0..<n { m[i, i] = 1 }
        return m
    }

    public subscript(i: Int, j: Int) -> Double {
        get { values[i * cols + j] }
        set { values[i * cols + j] = newValue }
    }

    public var transposed: Matrix64 {
        var m = Matrix64(zeros: cols, rows)
        for i in 0..<rows { for j in 0..<cols { m[j, i] = self[i, j] } }
        return m
    }

    public static func * (a: Matrix64, b: Matrix64) -> Matrix64 {
        precondition(a.cols == b.rows, "Matrix64 product: \(a.rows)x\(a.cols) times \(b.rows)x\(b.cols)")
        var m = Matrix64(zeros: a.rows, b.cols)
        for i in 0..<a.rows { for k in 0..<a.cols { let aik = a[i, k]; for j in 0..<b.cols { m[i, j] += aik * b[k, j] } } }
        return m
    }

    public static func * (a: Matrix64, x: [Double]) -> [Double] {
        precondition(a.cols == x.count, "Matrix64 times vector: \(a.rows)x\(a.cols) times \(x.count)")
        return (0..<a.rows).map { i in (0..<a.cols).reduce(0) { $0 + a[i, $1] * x[$1] } }
    }

    public static func + (a: Matrix64, b: Matrix64) -> Matrix64 {
        precondition(a.rows == b.rows && a.cols == b.cols, "Matrix64 sum: \(a.rows)x\(a.cols) plus \(b.rows)x\(b.cols)")
        return Matrix64(rows: a.rows, cols: a.cols, values: zip(a.values, b.values).map(+))
    }

    public static func - (a: Matrix64, b: Matrix64) -> Matrix64 {
        precondition(a.rows == b.rows && a.cols == b.cols, "Matrix64 difference: \(a.rows)x\(a.cols) minus \(b.rows)x\(b.cols)")
        return Matrix64(rows: a.rows, cols: a.cols, values: zip(a.values, b.values).map(-))
    }

    public static func * (s: Double, a: Matrix64) -> Matrix64 {
        Matrix64(rows: a.rows, cols: a.cols, values: a.values.map { s * $0 })
    }

    /// Frobenius norm.
    public var norm: Double { values.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    /// The lower-triangular L with L L^T = self, or nil if the matrix is not symmetric positive definite.
    public func cholesky() -> Matrix64? {
        precondition(rows == cols, "Matrix64.cholesky: \(rows)x\(cols) is not square")
        var l = Matrix64(zeros: rows, rows)
        for i in 0..<rows {
            for j in 0...i {
                var s = self[i, j]
                for k in 0..<j { s -= l[i, k] * l[j, k] }
                if i == j {
                    guard s > 0 else { return nil }
                    l[i, i] = s.squareRoot()
                } else {
                    l[i, j] = s / l[j, j]
                }
            }
        }
        return l
    }

    /// X with self * X = b, by Gauss-Jordan elimination with partial pivoting (nil if singular).
    public func solve(_ b: Matrix64) -> Matrix64? {
        precondition(rows == cols && b.rows == rows, "Matrix64.solve: \(rows)x\(cols) system with \(b.rows)x\(b.cols) right side")
        var a = self, x = b
        let n = rows
        for c in 0..<n {
            var p = c
            for r in (c + 1)..<max(c + 1, n) where abs(a[r, c]) > abs(a[p, c]) { p = r }
            guard a[p, c] != 0, a[p, c].isFinite else { return nil }
            if p != c {
                for j in 0..<n { let t = a[c, j]; a[c, j] = a[p, j]; a[p, j] = t }
                for j in 0..<x.cols { let t = x[c, j]; x[c, j] = x[p, j]; x[p, j] = t }
            }
            let pivot = a[c, c]
            for j in 0..<n { a[c, j] /= pivot }
            for j in 0..<x.cols { x[c, j] /= pivot }
            for r in 0..<n where r != c {
                let f = a[r, c]
                if f == 0 { continue }
                for j in 0..<n { a[r, j] -= f * a[c, j] }
                for j in 0..<x.cols { x[r, j] -= f * x[c, j] }
            }
        }
        return x
    }

    /// x with self * x = b.
    public func solve(_ b: [Double]) -> [Double]? {
        solve(Matrix64(rows: b.count, cols: 1, values: b))?.values
    }
}
