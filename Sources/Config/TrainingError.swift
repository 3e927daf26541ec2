/// A training run that cannot start or continue, with a message naming the file, key or
/// step concerned and what was expected.
public struct TrainingError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
