import CHDF5

/// An HDF5 group: creates and opens child groups and datasets. Names may be paths
/// relative to this group ("a/b") or absolute ("/a/b").
public class H5Group: H5Object {
    /// Creates group `name` (and any missing intermediate groups).
    @discardableResult
    public func createGroup(_ name: String) throws -> H5Group {
        try ensureOpen()
        let context = "creating group \(where_(name))"
        let linkProperties = try H5Call.check(H5Pcreate(diffuse_h5p_link_create()), context)
        defer { H5Pclose(linkProperties) }
        try H5Call.check(H5Pset_create_intermediate_group(linkProperties, 1), context)
        let group = try H5Call.check(H5Gcreate2(id, name, linkProperties, diffuse_h5p_default(), diffuse_h5p_default()), context)
        return H5Group(state: state, id: group, path: childPath(name), close: H5Gclose)
    }

    /// Opens existing group `name`.
    public func group(named name: String) throws -> H5Group {
        try ensureOpen()
        guard try contains(name) else { throw HDF5Error("\(where_(name)): no such group") }
        let group = try H5Call.check(H5Gopen2(id, name, diffuse_h5p_default()), "opening group \(where_(name))")
        if H5Iget_type(group) != H5I_GROUP {
            H5Oclose(group)
            throw HDF5Error("\(where_(name)): expected a group")
        }
        return H5Group(state: state, id: group, path: childPath(name), close: H5Gclose)
    }

    /// Opens group `name`, creating it if it does not exist.
    public func openOrCreateGroup(_ name: String) throws -> H5Group {
        try contains(name) ? try group(named: name) : try createGroup(name)
    }

    /// Whether a link `name` (a path, each component checked in turn) exists.
    public func contains(_ name: String) throws -> Bool {
        try ensureOpen()
        let components = name.split(separator: "/", omittingEmptySubsequences: true)
        var prefix = name.hasPrefix("/") ? "/" : ""
        for component in components {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
            let exists = H5Lexists(id, prefix, diffuse_h5p_default())
            if exists < 0 { throw H5Call.failure("checking \(where_(prefix))") }
            if exists == 0 { return false }
        }
        return true
    }

    /// Whether `name` exists and is a dataset.
    public func containsDataset(_ name: String) throws -> Bool {
        try kind(of: name) == H5I_DATASET
    }

    /// Whether `name` exists and is a group.
    public func containsGroup(_ name: String) throws -> Bool {
        try kind(of: name) == H5I_GROUP
    }

    private func kind(of name: String) throws -> H5I_type_t? {
        guard try contains(name) else { return nil }
        let object = try H5Call.check(H5Oopen(id, name, diffuse_h5p_default()), "opening \(where_(name))")
        defer { H5Oclose(object) }
        return H5Iget_type(object)
    }

    /// Names of the links in this group, in name order.
    public func memberNames() throws -> [String] {
        try ensureOpen()
        var info = H5G_info_t()
        try H5Call.check(H5Gget_info(id, &info), "listing members of \(where_)")
        return try H5Call.names(count: info.nlinks, "listing members of \(where_)") { i, buffer, size in
            Int(H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, i, buffer, size, diffuse_h5p_default()))
        }
    }

    /// Removes the link `name` (group or dataset).
    public func remove(_ name: String) throws {
        try ensureOpen()
        try H5Call.check(H5Ldelete(id, name, diffuse_h5p_default()), "deleting \(where_(name))")
    }

    /// Creates dataset `name` of `elementType` and `shape` ([] for a scalar). With `chunkShape`
    /// or `compression` (a deflate level 0...9) the dataset is chunked; if only compression is
    /// given, chunks are whole rows along axis 0, about 1 MiB each. Compression adds the
    /// shuffle filter before deflate.
    @discardableResult
    public func createDataset(_ name: String, elementType: H5ElementType, shape: [Int],
                              chunkShape: [Int]? = nil, compression: Int? = nil) throws -> H5Dataset {
        try ensureOpen()
        let context = "creating \(elementType) dataset \(where_(name)) of shape \(shape)"
        guard let type = elementType.nativeType else { throw HDF5Error("\(context): unsupported element type") }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw HDF5Error("\(context): negative dimension") }
        if let level = compression, !(0...9).contains(level) {
            throw HDF5Error("\(context): deflate level \(level) is not in 0...9")
        }
        let space = try H5Space.simple(shape, context: context)
        defer { space.close() }
        let creation = try H5Call.check(H5Pcreate(diffuse_h5p_dataset_create()), context)
        defer { H5Pclose(creation) }
        if (chunkShape != nil || compression != nil) && !shape.isEmpty {
            let chunks = chunkShape ?? H5Group.defaultChunks(shape: shape, elementSize: elementType.byteSize)
            guard chunks.count == shape.count, chunks.allSatisfy({ $0 > 0 }) else {
                throw HDF5Error("\(context): chunk shape \(chunks) must have rank \(shape.count) and positive sizes")
            }
            try H5Call.check(H5Pset_chunk(creation, Int32(chunks.count), chunks.map { hsize_t($0) }), context)
            if let level = compression {
                guard try H5Call.truth(H5Zfilter_avail(H5Z_filter_t(diffuse_h5z_filter_deflate())), context) else {
                    throw HDF5Error("\(context): the deflate filter is not available in this HDF5 library")
                }
                try H5Call.check(H5Pset_shuffle(creation), context)
                try H5Call.check(H5Pset_deflate(creation, UInt32(level)), context)
            }
        }
        let linkProperties = try H5Call.check(H5Pcreate(diffuse_h5p_link_create()), context)
        defer { H5Pclose(linkProperties) }
        try H5Call.check(H5Pset_create_intermediate_group(linkProperties, 1), context)
        let dataset = try H5Call.check(H5Dcreate2(id, name, type, space.id, linkProperties, creation, diffuse_h5p_default()), context)
        return H5Dataset(state: state, id: dataset, path: childPath(name), shape: shape, elementType: elementType)
    }

    /// Creates dataset `name` of `T`'s type and writes `values` (row-major, `shape`'s count).
    @discardableResult
    public func createDataset<T: H5Scalar>(_ name: String, values: [T], shape: [Int],
                                           chunkShape: [Int]? = nil, compression: Int? = nil) throws -> H5Dataset {
        try values.withUnsafeBufferPointer { buffer in
            try createDataset(name, from: buffer, shape: shape, chunkShape: chunkShape, compression: compression)
        }
    }

    /// Creates dataset `name` of `T`'s type and writes `buffer` (row-major, `shape`'s count).
    @discardableResult
    public func createDataset<T: H5Scalar>(_ name: String, from buffer: UnsafeBufferPointer<T>, shape: [Int],
                                           chunkShape: [Int]? = nil, compression: Int? = nil) throws -> H5Dataset {
        let expected = shape.reduce(1, *)
        guard buffer.count == expected else {
            throw HDF5Error("creating dataset \(where_(name)): \(buffer.count) values do not fill shape \(shape) (\(expected) elements)")
        }
        let dataset = try createDataset(name, elementType: T.h5ElementType, shape: shape,
                                        chunkShape: chunkShape, compression: compression)
        try dataset.write(from: buffer)
        return dataset
    }

    /// Opens existing dataset `name`.
    public func dataset(named name: String) throws -> H5Dataset {
        try ensureOpen()
        guard try contains(name) else { throw HDF5Error("\(where_(name)): no such dataset") }
        guard try containsDataset(name) else { throw HDF5Error("\(where_(name)): expected a dataset, found a group or other object") }
        let context = "opening dataset \(where_(name))"
        let dataset = try H5Call.check(H5Dopen2(id, name, diffuse_h5p_default()), context)
        do {
            let space = try H5Call.check(H5Dget_space(dataset), context)
            defer { H5Sclose(space) }
            let shape = try H5Space.shape(of: space, context: context)
            let type = try H5Call.check(H5Dget_type(dataset), context)
            defer { H5Tclose(type) }
            return H5Dataset(state: state, id: dataset, path: childPath(name), shape: shape,
                             elementType: H5ElementType.of(type: type))
        } catch {
            H5Dclose(dataset)
            throw error
        }
    }

    /// Chunks of whole trailing dimensions and about 1 MiB along axis 0.
    static func defaultChunks(shape: [Int], elementSize: Int) -> [Int] {
        let rowBytes = max(1, shape.dropFirst().reduce(1, *) * max(1, elementSize))
        let rows = max(1, min(shape[0], (1 << 20) / rowBytes))
        return [rows] + shape.dropFirst().map { max(1, $0) }
    }
}
