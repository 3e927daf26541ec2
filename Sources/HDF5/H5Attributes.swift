import CHDF5

/// Attributes on files (root group), groups and datasets: fixed-length UTF-8 strings,
/// numeric scalars and 1-D numeric arrays. Setting an existing attribute replaces it.
extension H5Object {
    /// Whether the object has an attribute called `name`.
    public func hasAttribute(_ name: String) throws -> Bool {
        try ensureOpen()
        return try H5Call.truth(H5Aexists(id, name), "checking attribute '\(name)' of \(where_)")
    }

    /// Names of all attributes, in creation-independent (name) order.
    public func attributeNames() throws -> [String] {
        try ensureOpen()
        var info = H5O_info_t()
        try H5Call.check(H5Oget_info2(id, &info, UInt32(H5O_INFO_NUM_ATTRS)), "listing attributes of \(where_)")
        return try H5Call.names(count: info.num_attrs, "listing attributes of \(where_)") { i, buffer, size in
            Int(H5Aget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, i, buffer, size, diffuse_h5p_default()))
        }
    }

    /// Deletes attribute `name` if it exists.
    public func removeAttribute(_ name: String) throws {
        if try hasAttribute(name) {
            try H5Call.check(H5Adelete(id, name), "deleting attribute '\(name)' of \(where_)")
        }
    }

    /// Stores `value` as a scalar fixed-length UTF-8 string attribute (null-padded, its
    /// exact byte length). Fixed length keeps the text in the object's own header: a
    /// variable-length string lives in the file's global heap, whose records HDF5 1.10 reads
    /// without any check, so a damaged file could crash the reader (found by the checkpoint
    /// fuzz test, issue 10) instead of failing with an error.
    public func setAttribute(_ name: String, _ value: String) throws {
        try removeAttribute(name)
        let context = "writing string attribute '\(name)' of \(where_)"
        let type = try H5Call.check(H5Tcopy(diffuse_h5t_c_s1()), context)
        defer { H5Tclose(type) }
        let bytes = Array(value.utf8)
        try H5Call.check(H5Tset_size(type, max(1, bytes.count)), context)
        try H5Call.check(H5Tset_cset(type, H5T_CSET_UTF8), context)
        try H5Call.check(H5Tset_strpad(type, H5T_STR_NULLPAD), context)
        let space = try H5Space.simple([], context: context)
        defer { space.close() }
        let attribute = try H5Call.check(H5Acreate2(id, name, type, space.id, diffuse_h5p_default(), diffuse_h5p_default()), context)
        defer { H5Aclose(attribute) }
        let padded = bytes.isEmpty ? [UInt8(0)] : bytes
        try H5Call.check(H5Awrite(attribute, type, padded), context)
    }

    /// Stores a numeric scalar attribute of `T`'s type.
    public func setAttribute<T: H5Scalar>(_ name: String, _ value: T) throws {
        try writeNumericAttribute(name, [value], shape: [])
    }

    /// Stores a 1-D numeric array attribute of `T`'s type.
    public func setAttribute<T: H5Scalar>(_ name: String, _ values: [T]) throws {
        try writeNumericAttribute(name, values, shape: [values.count])
    }

    private func writeNumericAttribute<T: H5Scalar>(_ name: String, _ values: [T], shape: [Int]) throws {
        try removeAttribute(name)
        let context = "writing \(T.h5ElementType) attribute '\(name)' of \(where_)"
        let space = try H5Space.simple(shape, context: context)
        defer { space.close() }
        let attribute = try H5Call.check(H5Acreate2(id, name, T.nativeType, space.id, diffuse_h5p_default(), diffuse_h5p_default()), context)
        defer { H5Aclose(attribute) }
        try values.withUnsafeBufferPointer { buffer in
            try H5Call.check(H5Awrite(attribute, T.nativeType, buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!), context)
        }
    }

    /// Opens attribute `name`, runs `body` with it and closes it.
    private func withAttribute<R>(_ name: String, _ body: (hid_t) throws -> R) throws -> R {
        try ensureOpen()
        guard try hasAttribute(name) else { throw HDF5Error("\(where_) has no attribute '\(name)'") }
        let attribute = try H5Call.check(H5Aopen(id, name, diffuse_h5p_default()), "opening attribute '\(name)' of \(where_)")
        defer { H5Aclose(attribute) }
        return try body(attribute)
    }

    /// Reads a scalar string attribute (variable-length or fixed-length, as h5py may write either).
    public func stringAttribute(_ name: String) throws -> String {
        try withAttribute(name) { attribute in
            let context = "reading string attribute '\(name)' of \(where_)"
            let fileType = try H5Call.check(H5Aget_type(attribute), context)
            defer { H5Tclose(fileType) }
            guard H5Tget_class(fileType) == H5T_STRING else {
                throw HDF5Error("\(context): expected a string, found \(H5ElementType.of(type: fileType))")
            }
            let space = try H5Call.check(H5Aget_space(attribute), context)
            defer { H5Sclose(space) }
            let count = H5Sget_simple_extent_npoints(space)
            guard count == 1 else { throw HDF5Error("\(context): expected a scalar string, found \(count) elements") }
            let memoryType = try H5Call.check(H5Tcopy(fileType), context)
            defer { H5Tclose(memoryType) }
            if try H5Call.truth(H5Tis_variable_str(fileType), context) {
                var pointer: UnsafeMutablePointer<CChar>? = nil
                try H5Call.check(H5Aread(attribute, memoryType, &pointer), context)
                guard let pointer = pointer else { return "" }
                defer { H5free_memory(pointer) }
                return String(cString: pointer)
            } else {
                let size = H5Tget_size(fileType)
                var bytes = [UInt8](repeating: 0, count: size + 1)
                try H5Call.check(H5Aread(attribute, memoryType, &bytes), context)
                let end = bytes.firstIndex(of: 0) ?? size
                return String(decoding: bytes[..<end], as: UTF8.self)
            }
        }
    }

    /// Reads a numeric scalar attribute, converting it to `T`.
    public func attribute<T: H5Scalar>(_ name: String, as type: T.Type = T.self) throws -> T {
        let values: [T] = try arrayAttribute(name, as: T.self)
        guard values.count == 1 else {
            throw HDF5Error("attribute '\(name)' of \(where_): expected a scalar, found \(values.count) elements")
        }
        return values[0]
    }

    /// Reads a numeric attribute (scalar or array) as a flat array of `T`.
    public func arrayAttribute<T: H5Scalar>(_ name: String, as type: T.Type = T.self) throws -> [T] {
        try withAttribute(name) { attribute in
            let context = "reading attribute '\(name)' of \(where_) as \(T.h5ElementType)"
            let fileType = try H5Call.check(H5Aget_type(attribute), context)
            defer { H5Tclose(fileType) }
            let typeClass = H5Tget_class(fileType)
            guard typeClass == H5T_INTEGER || typeClass == H5T_FLOAT else {
                throw HDF5Error("\(context): expected a number, found \(H5ElementType.of(type: fileType))")
            }
            let space = try H5Call.check(H5Aget_space(attribute), context)
            defer { H5Sclose(space) }
            let count = Int(H5Sget_simple_extent_npoints(space))
            var values = [T](repeating: T(), count: count)
            if count > 0 {
                try values.withUnsafeMutableBufferPointer { buffer in
                    try H5Call.check(H5Aread(attribute, T.nativeType, buffer.baseAddress!), context)
                }
            }
            return values
        }
    }
}
