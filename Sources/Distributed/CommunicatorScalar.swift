/// The element types a `Communicator` moves and reduces. Each maps to one MPI datatype
/// (MPI_FLOAT, MPI_DOUBLE, MPI_INT, MPI_INT64_T, MPI_UINT8_T).
public enum CommunicatorScalarKind: Sendable {
    case float32, float64, int32, int64, uint8
}

/// A scalar type a `Communicator` can allreduce, broadcast and gather.
public protocol CommunicatorScalar: Numeric, Comparable {
    static var communicatorKind: CommunicatorScalarKind { get }
}

extension Float: CommunicatorScalar { public static var communicatorKind: CommunicatorScalarKind { .float32 } }
extension Double: CommunicatorScalar { public static var communicatorKind: CommunicatorScalarKind { .float64 } }
extension Int32: CommunicatorScalar { public static var communicatorKind: CommunicatorScalarKind { .int32 } }
extension Int64: CommunicatorScalar { public static var communicatorKind: CommunicatorScalarKind { .int64 } }
extension UInt8: CommunicatorScalar { public static var communicatorKind: CommunicatorScalarKind { .uint8 } }

/// An element-wise reduction across ranks: `x_i <- op_r x_i^(r)` over ranks r.
public enum ReductionOperation: String, Sendable {
    case sum, max, min
}
