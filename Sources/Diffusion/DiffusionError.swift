/// A bad name or option given to the Diffusion factories, with a message saying what was expected.
public struct DiffusionError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
