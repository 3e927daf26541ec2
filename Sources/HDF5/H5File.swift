import CHDF5

/// An HDF5 file; as a group it is the root group "/" (attributes set on it are root attributes).
///
/// The file is closed when `close()` is called or when it and every object opened from it
/// have been released. `close()` closes all objects opened from the file at once
/// (`H5F_CLOSE_STRONG`); using them afterwards throws.
public final class H5File: H5Group {
    /// Creates (or truncates) the file at `path`, opened read-write.
    public static func create(_ path: String) throws -> H5File {
        H5Call.prepare()
        let access = try accessProperties(path)
        defer { H5Pclose(access) }
        let id = try H5Call.check(H5Fcreate(path, diffuse_h5f_acc_trunc(), diffuse_h5p_default(), access),
                                  "creating HDF5 file \(path)")
        return H5File(state: H5FileState(path: path, id: id), id: id, path: "/", close: nil)
    }

    /// Creates a file held in memory only (HDF5's core driver without a backing store); `name`
    /// serves for messages. Its bytes come from `image()`: a writer that must not leave HDF5
    /// with unflushable data (a full disk makes H5Fclose fail and HDF5 1.10 then crashes at
    /// exit) writes them itself.
    public static func createInMemory(_ name: String) throws -> H5File {
        H5Call.prepare()
        let access = try accessProperties(name)
        defer { H5Pclose(access) }
        try H5Call.check(H5Pset_fapl_core(access, 1 << 20, false), "in-memory file access properties for \(name)")
        let id = try H5Call.check(H5Fcreate(name, diffuse_h5f_acc_trunc(), diffuse_h5p_default(), access),
                                  "creating in-memory HDF5 file \(name)")
        return H5File(state: H5FileState(path: name, id: id), id: id, path: "/", close: nil)
    }

    /// The file's bytes as they would be on disk (flushed first).
    public func image() throws -> [UInt8] {
        try flush()
        let context = "reading the image of HDF5 file \(state.path)"
        let size = H5Fget_file_image(id, nil, 0)
        guard size >= 0 else { throw H5Call.failure(context) }
        var bytes = [UInt8](repeating: 0, count: size)
        let copied = bytes.withUnsafeMutableBytes { H5Fget_file_image(id, $0.baseAddress, $0.count) }
        guard copied == size else { throw copied < 0 ? H5Call.failure(context) : HDF5Error("\(context): \(copied) of \(size) bytes copied") }
        return bytes
    }

    /// Opens the existing file at `path`, read-only by default. Throws for a missing file,
    /// a file that is not HDF5, and a truncated one.
    public static func open(_ path: String, readOnly: Bool = true) throws -> H5File {
        H5Call.prepare()
        let access = try accessProperties(path)
        defer { H5Pclose(access) }
        let flags = readOnly ? diffuse_h5f_acc_rdonly() : diffuse_h5f_acc_rdwr()
        let id = try H5Call.check(H5Fopen(path, flags, access),
                                  "opening HDF5 file \(path) \(readOnly ? "read-only" : "read-write")")
        return H5File(state: H5FileState(path: path, id: id), id: id, path: "/", close: nil)
    }

    private static func accessProperties(_ path: String) throws -> hid_t {
        let access = try H5Call.check(H5Pcreate(diffuse_h5p_file_access()), "file access properties for \(path)")
        if H5Pset_fclose_degree(access, H5F_CLOSE_STRONG) < 0 {
            H5Pclose(access)
            throw H5Call.failure("file access properties for \(path)")
        }
        return access
    }

    /// Whether the file is still open.
    public var isOpen: Bool { state.isOpen }

    /// Writes buffered data to disk (the OS may still cache it; fsync the file for durability).
    public func flush() throws {
        try ensureOpen()
        try H5Call.check(H5Fflush(id, H5F_SCOPE_GLOBAL), "flushing HDF5 file \(state.path)")
    }

    /// Closes the file and every object opened from it. Closing twice is harmless.
    public func close() throws {
        try state.close()
    }
}
