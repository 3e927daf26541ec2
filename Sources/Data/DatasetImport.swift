import Foundation

/// The importers by format name, for `diffuse-data import`.
public enum DatasetImport {
    public enum Format: String, CaseIterable {
        case idx, npy, npz, pngFolder = "png-folder", cifar10, csv
    }

    /// Options shared by the importers; each uses the ones that apply to it.
    public struct Options {
        /// Image files or folders (idx/npy: the images file; npz/csv: the file; png-folder:
        /// the folder; cifar10: one or more batch files).
        public var inputs: [String]
        /// A separate labels file (idx, npy).
        public var labels: String?
        /// npz array names.
        public var imagesKey: String?
        public var labelsKey: String?
        /// Stored value range of float data (npy, npz, csv).
        public var valueRange: ClosedRange<Double>?
        /// png-folder: channels and target size; csv: sample shape.
        public var channels: Int?
        public var size: Int?
        public var shape: [Int]?
        /// csv: the first column is a label.
        public var labelColumn: Bool

        public init(inputs: [String], labels: String? = nil, imagesKey: String? = nil, labelsKey: String? = nil,
                    valueRange: ClosedRange<Double>? = nil, channels: Int? = nil, size: Int? = nil,
                    shape: [Int]? = nil, labelColumn: Bool = false) {
            self.inputs = inputs
            self.labels = labels
            self.imagesKey = imagesKey
            self.labelsKey = labelsKey
            self.valueRange = valueRange
            self.channels = channels
            self.size = size
            self.shape = shape
            self.labelColumn = labelColumn
        }
    }

    /// Runs the importer for `format`.
    public static func read(_ format: Format, _ options: Options) throws -> ImportedDataset {
        guard let input = options.inputs.first else { throw DataError("import \(format.rawValue): no input given") }
        if format != .cifar10 && options.inputs.count > 1 {
            throw DataError("import \(format.rawValue): expected one input, got \(options.inputs.count): \(options.inputs.joined(separator: " "))")
        }
        switch format {
        case .idx: return try IDXImporter.read(images: input, labels: options.labels)
        case .npy: return try NumPyImporter.readNPY(images: input, labels: options.labels, valueRange: options.valueRange)
        case .npz:
            return try NumPyImporter.readNPZ(input, imagesKey: options.imagesKey, labelsKey: options.labelsKey,
                                             valueRange: options.valueRange)
        case .pngFolder: return try PNGFolderImporter.read(folder: input, channels: options.channels, size: options.size)
        case .cifar10: return try CIFAR10Importer.read(batches: options.inputs)
        case .csv:
            return try CSVImporter.read(input, labelColumn: options.labelColumn, shape: options.shape,
                                        valueRange: options.valueRange)
        }
    }
}
