/// A backbone configuration (UNet, MLP) or input size that cannot work, with what was expected.
public struct ModelConfigError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
