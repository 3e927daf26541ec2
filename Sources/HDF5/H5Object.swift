import CHDF5

/// Shared state of one open HDF5 file. Every object opened from the file holds it, so the
/// file stays open while any of them lives, and closing the file (`H5File.close()`)
/// invalidates them all at once (the file is opened with `H5F_CLOSE_STRONG`).
final class H5FileState {
    let path: String
    let id: hid_t
    private(set) var isOpen = true

    init(path: String, id: hid_t) {
        self.path = path
        self.id = id
    }

    func close() throws {
        guard isOpen else { return }
        isOpen = false
        H5Call.prepare()
        try H5Call.check(H5Fclose(id), "closing HDF5 file \(path)")
    }

    deinit {
        if isOpen {
            H5Call.prepare()
            H5Fclose(id)
        }
    }
}

/// An open HDF5 object (file root, group or dataset): an identifier closed when the object
/// is released, its path in the file for messages, and its attributes.
public class H5Object {
    let state: H5FileState
    let id: hid_t
    /// Path of the object inside the file ("/" for the root).
    public let path: String
    private let closeFunction: ((hid_t) -> herr_t)?

    init(state: H5FileState, id: hid_t, path: String, close: ((hid_t) -> herr_t)?) {
        self.state = state
        self.id = id
        self.path = path
        self.closeFunction = close
    }

    deinit {
        if let closeFunction = closeFunction, state.isOpen {
            H5Call.prepare()
            _ = closeFunction(id)
        }
    }

    /// Path of the file this object lives in.
    public var filePath: String { state.path }

    /// "file.h5:/group/name", used in error messages.
    var where_: String { "\(state.path):\(path)" }

    func where_(_ child: String) -> String { "\(state.path):\(childPath(child))" }

    func childPath(_ name: String) -> String {
        name.hasPrefix("/") ? name : (path == "/" ? "/" + name : path + "/" + name)
    }

    /// Throws if the file has been closed; call before touching the identifier.
    func ensureOpen() throws {
        H5Call.prepare()
        if !state.isOpen { throw HDF5Error("\(where_): the HDF5 file has been closed") }
    }
}

/// A dataspace identifier closed on scope exit.
struct H5Space {
    let id: hid_t

    static func simple(_ shape: [Int], context: @autoclosure () -> String) throws -> H5Space {
        if shape.isEmpty {
            return H5Space(id: try H5Call.check(H5Screate(H5S_SCALAR), context()))
        }
        let dims = shape.map { hsize_t($0) }
        return H5Space(id: try H5Call.check(H5Screate_simple(Int32(dims.count), dims, nil), context()))
    }

    /// The dimensions of a dataspace ([] for a scalar space).
    static func shape(of space: hid_t, context: @autoclosure () -> String) throws -> [Int] {
        let rank = H5Sget_simple_extent_ndims(space)
        if rank < 0 { throw H5Call.failure(context()) }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        if rank > 0 {
            try H5Call.check(H5Sget_simple_extent_dims(space, &dims, nil), context())
        }
        return dims.map { Int($0) }
    }

    func close() { H5Sclose(id) }
}
