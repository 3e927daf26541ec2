import Foundation

/// Imports a CSV file of pixels: one sample per line, comma-separated numbers, optionally a
/// label in the first column (Kaggle MNIST layout "label,pixel0,...,pixel783") and a header
/// line (skipped when any of its fields is not a number). Samples have `shape` ([C, H, W] or
/// [D]); without it, P pixel columns must form a square gray image [1, sqrt P, sqrt P]. If
/// every value is an integer in 0...255 the data are stored as uint8 [0, 255]; otherwise as
/// float32 with `valueRange` or the NumPy importer's rule ([0, 1], [-1, 1] or [0, 255]).
public enum CSVImporter {
    public static func read(_ path: String, labelColumn: Bool, shape: [Int]? = nil,
                            valueRange: ClosedRange<Double>? = nil) throws -> ImportedDataset {
        let text = String(decoding: try BinaryReader.readFile(path), as: UTF8.self)
        var values: [Double] = [], labels: [Int64] = []
        var width: Int? = nil
        var lineNumber = 0
        var samples = 0
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let fields = trimmed.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if samples == 0 && width == nil && fields.contains(where: { Double($0) == nil }) { continue }   // header
            if let width = width, fields.count != width {
                throw DataError("\(path):\(lineNumber): \(fields.count) fields, expected \(width) like the first data line")
            }
            width = fields.count
            for (column, field) in fields.enumerated() {
                guard let value = Double(field), value.isFinite else {
                    throw DataError("\(path):\(lineNumber): column \(column + 1) is '\(field)', expected a number")
                }
                if labelColumn && column == 0 {
                    guard value == value.rounded(), value >= 0 else {
                        throw DataError("\(path):\(lineNumber): label '\(field)' is not a non-negative integer")
                    }
                    labels.append(Int64(value))
                } else {
                    values.append(value)
                }
            }
            samples += 1
        }
        guard samples > 0, let width = width else { throw DataError("\(path): no data lines") }
        let pixels = width - (labelColumn ? 1 : 0)
        let sampleShape: [Int]
        if let shape = shape {
            guard shape.reduce(1, *) == pixels, shape.count == 1 || shape.count == 3 else {
                throw DataError("\(path): sample shape \(shape) does not match the \(pixels) pixel columns per line")
            }
            sampleShape = shape
        } else {
            let side = Int(Double(pixels).squareRoot().rounded())
            guard side * side == pixels, pixels > 0 else {
                throw DataError("\(path): \(pixels) pixel columns are not a square image; give the sample shape (C,H,W)")
            }
            sampleShape = [1, side, side]
        }
        let isBytes = valueRange == nil && values.allSatisfy { $0 >= 0 && $0 <= 255 && $0 == $0.rounded() }
        let images: ImageArray
        if isBytes {
            images = ImageArray(shape: [samples] + sampleShape, bytes: values.map { UInt8($0) })
        } else {
            let range = try valueRange ?? (sampleShape.count == 1 ? nil : NumPyImporter.inferRange(values, name: path))
            images = ImageArray(shape: [samples] + sampleShape, pixels: .float32(values.map { Float($0) }), valueRange: range)
        }
        return ImportedDataset(images: images, labels: labelColumn ? labels : nil,
                               source: "csv: \((path as NSString).lastPathComponent)")
    }
}
