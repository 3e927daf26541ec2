/// A sampling or evaluation request that cannot be carried out (bad option, unreadable
/// `--init` file, unwritable output), with a message naming the option or file and what was expected.
public struct SamplingError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
