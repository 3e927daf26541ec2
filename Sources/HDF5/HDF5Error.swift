import CHDF5

/// A failed HDF5 operation: names the file and object involved and carries HDF5's own
/// error-stack messages (walked with `H5Ewalk2`, outermost API call first).
public struct HDF5Error: Error, CustomStringConvertible, Equatable {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// Entry points to the C library: silence HDF5's automatic error printing, check return
/// codes, and turn failures into `HDF5Error`s with the library's error stack.
enum H5Call {
    /// Disables automatic printing of the error stack for the calling thread (the library is
    /// built thread-safe, so each thread has its own stack and its own auto-print setting).
    @inline(__always)
    static func prepare() {
        H5Eset_auto2(diffuse_h5e_default(), nil, nil)
    }

    /// Returns `id` if it is a valid identifier, otherwise throws with `context` and the stack.
    @discardableResult
    static func check(_ id: hid_t, _ context: @autoclosure () -> String) throws -> hid_t {
        if id < 0 { throw failure(context()) }
        return id
    }

    /// Throws with `context` and the stack if `status` is negative.
    static func check(_ status: herr_t, _ context: @autoclosure () -> String) throws {
        if status < 0 { throw failure(context()) }
    }

    /// Returns the boolean of an `htri_t`, throwing if it reports failure.
    static func truth(_ value: htri_t, _ context: @autoclosure () -> String) throws -> Bool {
        if value < 0 { throw failure(context()) }
        return value > 0
    }

    /// Names `0..<count` fetched with an HDF5 "get name by index" call that returns the
    /// length when given no buffer (links of a group, attributes of an object).
    static func names(count: hsize_t, _ context: @autoclosure () -> String,
                      _ fetch: (hsize_t, UnsafeMutablePointer<CChar>?, Int) -> Int) throws -> [String] {
        var names: [String] = []
        for i in 0..<count {
            let size = fetch(i, nil, 0)
            if size < 0 { throw failure("\(context()): name \(i)") }
            var buffer = [CChar](repeating: 0, count: size + 1)
            if fetch(i, &buffer, buffer.count) < 0 { throw failure("\(context()): name \(i)") }
            names.append(String(cString: buffer))
        }
        return names
    }

    /// Builds an error from `context` and the current error stack, then clears the stack.
    static func failure(_ context: String) -> HDF5Error {
        let stack = errorStack()
        H5Eclear2(diffuse_h5e_default())
        return HDF5Error(stack.isEmpty ? context : "\(context): \(stack)")
    }

    /// The current thread's error stack, outermost first, as "func(): description (minor message)".
    static func errorStack() -> String {
        var lines: [String] = []
        withUnsafeMutablePointer(to: &lines) { linesPointer in
            _ = H5Ewalk2(diffuse_h5e_default(), H5E_WALK_DOWNWARD, { _, entry, clientData in
                guard let entry = entry, let clientData = clientData else { return 0 }
                let out = clientData.assumingMemoryBound(to: [String].self)
                let function = entry.pointee.func_name.map { String(cString: $0) } ?? "?"
                let description = entry.pointee.desc.map { String(cString: $0) } ?? ""
                var minor = ""
                var buffer = [CChar](repeating: 0, count: 256)
                if H5Eget_msg(entry.pointee.min_num, nil, &buffer, buffer.count) > 0 {
                    minor = String(cString: buffer)
                }
                var line = "\(function)(): \(description)"
                if !minor.isEmpty { line += " (\(minor))" }
                out.pointee.append(line)
                return 0
            }, linesPointer)
        }
        return lines.joined(separator: "; ")
    }
}
