import CHDF5

/// The element type of an HDF5 dataset or attribute as stored in the file.
public enum H5ElementType: Equatable, CustomStringConvertible {
    case float32, float64
    case int8, uint8, int16, uint16, int32, uint32, int64, uint64
    /// Any other class (strings, compounds, ...), described by HDF5's class name.
    case other(String)

    public var description: String {
        switch self {
        case .float32: return "float32"
        case .float64: return "float64"
        case .int8: return "int8"
        case .uint8: return "uint8"
        case .int16: return "int16"
        case .uint16: return "uint16"
        case .int32: return "int32"
        case .uint32: return "uint32"
        case .int64: return "int64"
        case .uint64: return "uint64"
        case .other(let name): return name
        }
    }

    /// Size of one element in bytes (0 for `.other`).
    public var byteSize: Int {
        switch self {
        case .int8, .uint8: return 1
        case .int16, .uint16: return 2
        case .float32, .int32, .uint32: return 4
        case .float64, .int64, .uint64: return 8
        case .other: return 0
        }
    }

    /// The native in-memory HDF5 type, or nil for `.other`.
    var nativeType: hid_t? {
        switch self {
        case .float32: return diffuse_h5t_native_float()
        case .float64: return diffuse_h5t_native_double()
        case .int8: return diffuse_h5t_native_int8()
        case .uint8: return diffuse_h5t_native_uint8()
        case .int16: return diffuse_h5t_native_int16()
        case .uint16: return diffuse_h5t_native_uint16()
        case .int32: return diffuse_h5t_native_int32()
        case .uint32: return diffuse_h5t_native_uint32()
        case .int64: return diffuse_h5t_native_int64()
        case .uint64: return diffuse_h5t_native_uint64()
        case .other: return nil
        }
    }

    /// Classifies an HDF5 datatype identifier.
    static func of(type: hid_t) -> H5ElementType {
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_FLOAT:
            return size == 4 ? .float32 : size == 8 ? .float64 : .other("float\(size * 8)")
        case H5T_INTEGER:
            let signed = H5Tget_sign(type) == H5T_SGN_2
            switch (size, signed) {
            case (1, true): return .int8
            case (1, false): return .uint8
            case (2, true): return .int16
            case (2, false): return .uint16
            case (4, true): return .int32
            case (4, false): return .uint32
            case (8, true): return .int64
            case (8, false): return .uint64
            default: return .other("integer\(size * 8)")
            }
        case H5T_STRING: return .other("string")
        case H5T_COMPOUND: return .other("compound")
        case H5T_ENUM: return .other("enum")
        case H5T_ARRAY: return .other("array")
        case H5T_VLEN: return .other("vlen")
        default: return .other("unsupported type class")
        }
    }
}

/// A Swift numeric type that maps to a native HDF5 type. Reads convert from the stored type
/// with HDF5's conversion (e.g. a uint8 dataset read as `Float`); writes store this type.
public protocol H5Scalar {
    static var h5ElementType: H5ElementType { get }
    init()
}

extension Float: H5Scalar { public static var h5ElementType: H5ElementType { .float32 } }
extension Double: H5Scalar { public static var h5ElementType: H5ElementType { .float64 } }
extension UInt8: H5Scalar { public static var h5ElementType: H5ElementType { .uint8 } }
extension Int8: H5Scalar { public static var h5ElementType: H5ElementType { .int8 } }
extension Int32: H5Scalar { public static var h5ElementType: H5ElementType { .int32 } }
extension UInt32: H5Scalar { public static var h5ElementType: H5ElementType { .uint32 } }
extension Int64: H5Scalar { public static var h5ElementType: H5ElementType { .int64 } }
extension UInt64: H5Scalar { public static var h5ElementType: H5ElementType { .uint64 } }
/// `Int` is stored as int64 (Swift's `Int` is 64-bit on every supported platform).
extension Int: H5Scalar { public static var h5ElementType: H5ElementType { .int64 } }

extension H5Scalar {
    static var nativeType: hid_t { h5ElementType.nativeType! }
}
