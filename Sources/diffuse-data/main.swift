import ArgumentParser
import Data
import Foundation

/// `diffuse-data`: import datasets into Diffuse's HDF5 format, describe and preview them,
/// and write the built-in datasets. All logic lives in the Data library.
struct DiffuseData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diffuse-data",
        abstract: "Create, inspect and preview Diffuse dataset files (HDF5).",
        subcommands: [Import.self, Info.self, Preview_.self, Builtin.self])
}

/// Parses "a,b" into a closed range of Doubles.
func parseRange(_ text: String?) throws -> ClosedRange<Double>? {
    guard let text = text else { return nil }
    let parts = text.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    guard parts.count == 2, parts[0] < parts[1] else { throw ValidationError("--value-range '\(text)': expected LOW,HIGH with LOW < HIGH") }
    return parts[0]...parts[1]
}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Import images (and labels) into a dataset file.")

    @Option(help: "Input format: \(DatasetImport.Format.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: String
    @Argument(help: "Input files or folder (cifar10: one or more batch files).")
    var inputs: [String]
    @Option(help: "Labels file (idx, npy).") var labels: String?
    @Option(help: "npz: name of the images array.") var imagesKey: String?
    @Option(help: "npz: name of the labels array.") var labelsKey: String?
    @Option(help: "Stored range of float data, LOW,HIGH (npy, npz, csv).") var valueRange: String?
    @Option(help: "png-folder: channels (1 or 3).") var channels: Int?
    @Option(help: "png-folder: centre-crop and resize every image to SIZE x SIZE.") var size: Int?
    @Option(help: "csv: sample shape C,H,W or D.") var shape: String?
    @Flag(help: "csv: the first column is a label.") var labelColumn = false
    @Option(help: "Deflate level 0-9 for the output (default: uncompressed).") var compression: Int?
    @Option(help: "Dataset name stored in the file (default: output file name).") var name: String?
    @Option(help: "Output dataset file (.h5).") var out: String

    func run() throws {
        guard let format = DatasetImport.Format(rawValue: format) else {
            throw ValidationError("unknown --format '\(self.format)'; expected one of \(DatasetImport.Format.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let shape = try self.shape.map { text -> [Int] in
            let parts = text.split(separator: ",").compactMap { Int($0) }
            guard !parts.isEmpty, parts.count == text.split(separator: ",").count else { throw ValidationError("--shape '\(text)': expected C,H,W or D") }
            return parts
        }
        let options = DatasetImport.Options(inputs: inputs, labels: labels, imagesKey: imagesKey, labelsKey: labelsKey,
                                            valueRange: try parseRange(valueRange), channels: channels, size: size,
                                            shape: shape, labelColumn: labelColumn)
        let imported = try DatasetImport.read(format, options)
        let datasetName = name ?? ((out as NSString).lastPathComponent as NSString).deletingPathExtension
        try imported.write(to: out, name: datasetName, compression: compression)
        print(try DatasetInfo(path: out).description)
    }
}

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Describe a dataset file: shape, dtype, value range, label counts.")
    @Argument(help: "Dataset file.") var file: String

    func run() throws { print(try DatasetInfo(path: file).description) }
}

struct Preview_: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "preview", abstract: "Write a PNG grid of the first images (or a scatter plot of 2-D points).")
    @Argument(help: "Dataset file.") var file: String
    @Option(help: "Number of images.") var count = 64
    @Option(help: "Images per row (default: square grid).") var columns: Int?
    @Option(help: "Output PNG.") var out: String

    func run() throws {
        guard count > 0 else { throw DataError("preview \(file): --count must be at least 1, got \(count)") }
        try Preview.write(try DatasetFile(path: file), count: count, columns: columns, path: out)
        print("wrote \(out)")
    }
}

struct Builtin: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a built-in dataset (\(BuiltinDatasets.names.joined(separator: ", "))) to a file.")
    @Argument(help: "Builtin dataset name.") var name: String
    @Option(help: "Number of samples.") var count: Int
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Option(help: "Deflate level 0-9 (default: uncompressed).") var compression: Int?
    @Option(help: "Output dataset file (.h5).") var out: String

    func run() throws {
        guard count > 0 else { throw DataError("builtin \(name): --count must be at least 1, got \(count)") }
        try BuiltinDatasets.writeFile(name, count: count, seed: seed, path: out, compression: compression)
        print(try DatasetInfo(path: out).description)
    }
}

do {
    var command = try DiffuseData.parseAsRoot()
    try command.run()
} catch let error as DataError {
    FileHandle.standardError.write("diffuse-data: \(error.message)\n".data(using: .utf8)!)
    exit(1)
} catch {
    DiffuseData.exit(withError: error)
}
