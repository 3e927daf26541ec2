/// The hyper-parameters of the MLP backbone for vector data; YAML/JSON keys are snake_case.
public struct MLPConfig: Codable, Equatable, Sendable {
    /// Length of each data vector (input and output).
    public var features: Int
    public var hiddenWidths: [Int]
    public var posDim: Int
    public var embDim: Int

    enum CodingKeys: String, CodingKey {
        case features, hiddenWidths = "hidden_widths", posDim = "pos_dim", embDim = "emb_dim"
    }

    public init(features: Int, hiddenWidths: [Int] = [128, 128, 128], posDim: Int = 32, embDim: Int = 128) {
        self.features = features
        self.hiddenWidths = hiddenWidths
        self.posDim = posDim
        self.embDim = embDim
    }

    /// Throws naming every field out of range.
    public func validate() throws {
        var problems: [String] = []
        if features <= 0 { problems.append("features \(features) must be positive") }
        if hiddenWidths.isEmpty || hiddenWidths.contains(where: { $0 <= 0 }) {
            problems.append("hidden_widths \(hiddenWidths) must be a non-empty list of positive widths")
        }
        if posDim < 4 || posDim % 2 != 0 { problems.append("pos_dim \(posDim) must be even and at least 4") }
        if embDim <= 0 { problems.append("emb_dim \(embDim) must be positive") }
        if !problems.isEmpty { throw ModelConfigError(message: "invalid MLP configuration: " + problems.joined(separator: "; ")) }
    }
}
