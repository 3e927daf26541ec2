/// A weights group that does not match the model: every problem at once.
public struct WeightLoadError: Error, CustomStringConvertible {
    /// Where the weights were read from (`file:/group`).
    public let location: String
    /// Parameters of the model with no dataset in the group.
    public let missing: [String]
    /// Members of the group that are not parameters of the model.
    public let unexpected: [String]
    /// Datasets whose shape differs from the parameter's.
    public let misshaped: [(name: String, expected: [Int], found: [Int])]

    public var description: String {
        var parts: [String] = []
        if !missing.isEmpty { parts.append("missing \(missing.count): \(missing.joined(separator: ", "))") }
        if !unexpected.isEmpty { parts.append("unexpected \(unexpected.count): \(unexpected.joined(separator: ", "))") }
        if !misshaped.isEmpty {
            parts.append("mis-shaped \(misshaped.count): " + misshaped.map { "\($0.name) (expected \($0.expected), found \($0.found))" }
                .joined(separator: ", "))
        }
        return "weights in \(location) do not match the model: " + parts.joined(separator: "; ")
    }
}
