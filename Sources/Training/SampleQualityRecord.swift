/// The sample-quality figures of one `eval.every` pass, as logged under `quality` in a
/// `metrics.jsonl` line: the Fréchet distance between classifier features of generated and
/// reference images (Heusel et al. 2017, "GANs trained by a two time-scale update rule"),
/// k-NN precision and recall in the same feature space (Kynkäänniemi et al. 2019) and, for a
/// class-conditional model, the share of samples the classifier assigns to the requested class.
public struct SampleQualityRecord: Codable, Equatable, Sendable {
    public var fid: Double
    public var precision: Double
    public var recall: Double
    /// nil for an unconditional model.
    public var classAgreement: Double?
    /// Generated samples the figures are computed from.
    public var count: Int
    /// Wall time of the pass (sampling and features).
    public var seconds: Double

    public init(fid: Double, precision: Double, recall: Double, classAgreement: Double?, count: Int, seconds: Double) {
        self.fid = fid; self.precision = precision; self.recall = recall
        self.classAgreement = classAgreement; self.count = count; self.seconds = seconds
    }

    enum CodingKeys: String, CodingKey {
        case fid, precision, recall, classAgreement = "class_agreement", count, seconds
    }
}
