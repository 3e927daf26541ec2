/// Bad input to the data layer: a malformed or truncated file, an unknown format, an
/// impossible batch configuration. The message names the file (and offset, line or field)
/// and says what was expected.
public struct DataError: Error, CustomStringConvertible, Equatable {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
