/// The result of an importer: samples, optional labels, and a provenance note
/// ("idx: train-images-idx3-ubyte.gz + train-labels-idx1-ubyte.gz").
public struct ImportedDataset {
    public var images: ImageArray
    public var labels: [Int64]?
    public var source: String

    public init(images: ImageArray, labels: [Int64]?, source: String) {
        if let labels = labels {
            precondition(labels.count == images.count, "ImportedDataset: \(labels.count) labels for \(images.count) samples")
        }
        self.images = images
        self.labels = labels
        self.source = source
    }

    /// Writes the dataset file (see `DatasetFormat`).
    public func write(to path: String, name: String, compression: Int? = nil) throws {
        try DatasetFileWriter.write(images, labels: labels, to: path, name: name, source: source, compression: compression)
    }
}
