/// A configuration that cannot be used: every problem found, each naming its key path
/// (`train.global_batch`) and what was expected, reported together in one message.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    /// Where the configuration came from (a file path, or "--set" for overrides only).
    public let source: String
    /// One line per problem, each starting with its key path.
    public let problems: [String]

    public init(source: String, problems: [String]) {
        self.source = source
        self.problems = problems
    }

    public var description: String {
        if problems.count == 1 { return "\(source): invalid configuration: \(problems[0])" }
        return "\(source): \(problems.count) problems in the configuration:\n"
            + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
