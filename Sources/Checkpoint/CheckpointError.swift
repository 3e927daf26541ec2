/// A checkpoint that cannot be written, found or used, with the file and what was expected.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let message: String

    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
