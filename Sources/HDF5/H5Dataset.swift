import CHDF5

/// An N-d dataset of numbers: whole reads and writes, and row ranges along axis 0 (a
/// hyperslab) for streaming. Reads convert from the stored type to the requested one.
public final class H5Dataset: H5Object {
    /// Dimensions ([] for a scalar dataset).
    public let shape: [Int]
    /// The stored element type.
    public let elementType: H5ElementType

    init(state: H5FileState, id: hid_t, path: String, shape: [Int], elementType: H5ElementType) {
        self.shape = shape
        self.elementType = elementType
        super.init(state: state, id: id, path: path, close: H5Dclose)
    }

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }
    /// Elements per row along axis 0 (the product of the trailing dimensions).
    public var rowCount: Int { shape.dropFirst().reduce(1, *) }

    /// The whole dataset as `T`, row-major.
    public func read<T: H5Scalar>(as type: T.Type = T.self) throws -> [T] {
        var values = [T](repeating: T(), count: count)
        try values.withUnsafeMutableBufferPointer { try read(into: $0) }
        return values
    }

    /// Reads the whole dataset into `buffer` (which must hold exactly `count` elements).
    public func read<T: H5Scalar>(into buffer: UnsafeMutableBufferPointer<T>) throws {
        try ensureOpen()
        let context = "reading dataset \(where_) (\(elementType), shape \(shape)) as \(T.h5ElementType)"
        try checkNumeric(context)
        guard buffer.count == count else {
            throw HDF5Error("\(context): buffer holds \(buffer.count) elements, dataset has \(count)")
        }
        if count == 0 { return }
        try H5Call.check(H5Dread(id, T.nativeType, diffuse_h5s_all(), diffuse_h5s_all(), diffuse_h5p_default(), buffer.baseAddress!), context)
    }

    /// Rows `rows` along axis 0 as `T`, row-major.
    public func readRows<T: H5Scalar>(_ rows: Range<Int>, as type: T.Type = T.self) throws -> [T] {
        var values = [T](repeating: T(), count: rows.count * rowCount)
        try values.withUnsafeMutableBufferPointer { try readRows(rows, into: $0) }
        return values
    }

    /// Reads rows `rows` along axis 0 into `buffer` (which must hold `rows.count * rowCount`).
    public func readRows<T: H5Scalar>(_ rows: Range<Int>, into buffer: UnsafeMutableBufferPointer<T>) throws {
        try ensureOpen()
        let context = "reading rows \(rows) of dataset \(where_) (\(elementType), shape \(shape)) as \(T.h5ElementType)"
        try checkNumeric(context)
        let hyperslab = try selectRows(rows, bufferCount: buffer.count, context: context)
        defer { hyperslab.file.close(); hyperslab.memory.close() }
        if rows.isEmpty { return }
        try H5Call.check(H5Dread(id, T.nativeType, hyperslab.memory.id, hyperslab.file.id, diffuse_h5p_default(), buffer.baseAddress!), context)
    }

    /// Writes the whole dataset from `values` (row-major, `count` elements).
    public func write<T: H5Scalar>(_ values: [T]) throws {
        try values.withUnsafeBufferPointer { try write(from: $0) }
    }

    /// Writes the whole dataset from `buffer` (row-major, `count` elements).
    public func write<T: H5Scalar>(from buffer: UnsafeBufferPointer<T>) throws {
        try ensureOpen()
        let context = "writing dataset \(where_) (\(elementType), shape \(shape)) from \(T.h5ElementType)"
        try checkNumeric(context)
        guard buffer.count == count else {
            throw HDF5Error("\(context): \(buffer.count) values given, dataset has \(count) elements")
        }
        if count == 0 { return }
        try H5Call.check(H5Dwrite(id, T.nativeType, diffuse_h5s_all(), diffuse_h5s_all(), diffuse_h5p_default(), buffer.baseAddress!), context)
    }

    /// Writes rows `rows` along axis 0 from `buffer` (`rows.count * rowCount` elements).
    public func writeRows<T: H5Scalar>(_ rows: Range<Int>, from buffer: UnsafeBufferPointer<T>) throws {
        try ensureOpen()
        let context = "writing rows \(rows) of dataset \(where_) (\(elementType), shape \(shape)) from \(T.h5ElementType)"
        try checkNumeric(context)
        let hyperslab = try selectRows(rows, bufferCount: buffer.count, context: context)
        defer { hyperslab.file.close(); hyperslab.memory.close() }
        if rows.isEmpty { return }
        try H5Call.check(H5Dwrite(id, T.nativeType, hyperslab.memory.id, hyperslab.file.id, diffuse_h5p_default(), buffer.baseAddress!), context)
    }

    /// Writes rows `rows` along axis 0 from `values`.
    public func writeRows<T: H5Scalar>(_ rows: Range<Int>, _ values: [T]) throws {
        try values.withUnsafeBufferPointer { try writeRows(rows, from: $0) }
    }

    private func checkNumeric(_ context: String) throws {
        if case .other(let name) = elementType { throw HDF5Error("\(context): cannot read or write \(name) data as numbers") }
    }

    /// File and memory dataspaces selecting `rows` of axis 0.
    private func selectRows(_ rows: Range<Int>, bufferCount: Int, context: String) throws -> (file: H5Space, memory: H5Space) {
        guard !shape.isEmpty else { throw HDF5Error("\(context): a scalar dataset has no rows") }
        guard rows.lowerBound >= 0, rows.upperBound <= shape[0] else {
            throw HDF5Error("\(context): rows out of bounds 0..<\(shape[0])")
        }
        guard bufferCount == rows.count * rowCount else {
            throw HDF5Error("\(context): buffer holds \(bufferCount) elements, \(rows.count) rows need \(rows.count * rowCount)")
        }
        let fileSpace = H5Space(id: try H5Call.check(H5Dget_space(id), context))
        let memoryShape = [rows.count] + shape.dropFirst()
        let memory: H5Space
        do {
            memory = try H5Space.simple(memoryShape, context: context)
        } catch {
            fileSpace.close()
            throw error
        }
        if !rows.isEmpty {
            let start = [hsize_t(rows.lowerBound)] + [hsize_t](repeating: 0, count: shape.count - 1)
            let counts = memoryShape.map { hsize_t($0) }
            if H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, start, nil, counts, nil) < 0 {
                let error = H5Call.failure(context)
                fileSpace.close(); memory.close()
                throw error
            }
        }
        return (fileSpace, memory)
    }
}
