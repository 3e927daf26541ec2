/// A failed collective operation. For MPI the message is MPI's own error string
/// (`MPI_Error_string`), since the communicator runs with `MPI_ERRORS_RETURN`.
public struct CommunicatorError: Error, CustomStringConvertible, Equatable {
    /// What was being done, e.g. "MPI_Allreduce (sum, 1024 x float32)".
    public let operation: String
    /// The MPI error code (or -1 for errors raised by Diffuse itself).
    public let code: Int32
    public let message: String

    public init(operation: String, code: Int32, message: String) {
        self.operation = operation
        self.code = code
        self.message = message
    }

    public var description: String {
        code >= 0 ? "\(operation) failed (MPI error \(code)): \(message)" : "\(operation) failed: \(message)"
    }
}
