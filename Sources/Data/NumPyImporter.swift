import Foundation

/// Imports NumPy `.npy` arrays and `.npz` archives (read with `ZipArchive`, stored or deflated
/// entries, so both `np.savez` and `np.savez_compressed` work).
///
/// Accepted dtypes: u1 (kept as uint8, range [0, 255]); f4 and f8 (stored as float32); i1,
/// u2, i2, i4, u4, i8, u8 for labels. Little-endian or byte-order-free only; C order only.
/// Image layouts: [N, H, W] (one channel); [N, C, H, W] when C = shape[1] is 1 or 3;
/// [N, H, W, C] when shape[3] is 1 or 3 (transposed to NCHW); [N, D] vectors.
/// Float value range, unless given: the range of the data rounded out to [0, 1], [-1, 1]
/// or [0, 255], whichever first contains it (vectors [N, D]: none, values used as stored).
public enum NumPyImporter {
    /// A parsed .npy array: shape, dtype descriptor and values as Double (or bytes for u1).
    public struct NPYArray {
        public let shape: [Int]
        public let descr: String
        public let bytes: [UInt8]?
        public let values: [Double]?
    }

    public static func parse(_ data: Data, name: String) throws -> NPYArray {
        let reader = BinaryReader(data, name: name)
        let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
        guard Array(try reader.slice(0, 6, "the .npy magic \\x93NUMPY")) == magic else {
            throw DataError("\(name): offset 0: not a .npy file (expected the magic bytes \\x93NUMPY)")
        }
        let major = try reader.uint8(at: 6, "the format version")
        guard (1...3).contains(major) else { throw DataError("\(name): offset 6: .npy format version \(major), expected 1, 2 or 3") }
        let lengthWidth = major == 1 ? 2 : 4
        let headerLength = Int(try reader.littleEndian(at: 8, width: lengthWidth, "the header length"))
        let headerStart = 8 + lengthWidth
        let header = String(decoding: try reader.slice(headerStart, headerLength, "the header dictionary"), as: UTF8.self)
        func field(_ key: String) throws -> String {
            guard let range = header.range(of: "'\(key)':") else {
                throw DataError("\(name): header has no '\(key)' field: \(header)")
            }
            return String(header[range.upperBound...]).trimmingCharacters(in: .whitespaces)
        }
        let descrField = try field("descr")
        guard descrField.first == "'", let close = descrField.dropFirst().firstIndex(of: "'") else {
            throw DataError("\(name): header field 'descr' is not a string: \(header)")
        }
        let descr = String(descrField[descrField.index(after: descrField.startIndex)..<close])
        if try field("fortran_order").hasPrefix("True") {
            throw DataError("\(name): array is in Fortran order; save it with np.ascontiguousarray first")
        }
        let shapeField = try field("shape")
        guard shapeField.first == "(", let end = shapeField.firstIndex(of: ")") else {
            throw DataError("\(name): header field 'shape' is not a tuple: \(header)")
        }
        let shape = try shapeField[shapeField.index(after: shapeField.startIndex)..<end]
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map { (text: String) -> Int in
                guard let value = Int(text), value >= 0 else { throw DataError("\(name): shape entry '\(text)' is not a size: \(header)") }
                return value
            }
        guard descr.first != ">" else { throw DataError("\(name): dtype '\(descr)' is big-endian; expected little-endian ('<')") }
        let code = descr.trimmingCharacters(in: CharacterSet(charactersIn: "<|="))
        let widths = ["u1": 1, "i1": 1, "u2": 2, "i2": 2, "u4": 4, "i4": 4, "u8": 8, "i8": 8, "f4": 4, "f8": 8]
        guard let width = widths[code] else {
            throw DataError("\(name): dtype '\(descr)' is not supported; expected one of u1, f4, f8 (images) or an integer type (labels)")
        }
        let dataStart = headerStart + headerLength
        guard let count = BinaryReader.product(shape), let byteCount = BinaryReader.product([count, width]) else {
            throw DataError("\(name): shape \(shape) of '\(descr)' describes more bytes than any file holds")
        }
        guard reader.count - dataStart == byteCount else {
            throw DataError("\(name): \(reader.count - dataStart < count * width ? "truncated" : "has trailing bytes"): shape \(shape) of '\(descr)' needs \(count * width) data bytes from offset \(dataStart), found \(reader.count - dataStart)")
        }
        let raw = reader.bytes[dataStart...]
        if code == "u1" { return NPYArray(shape: shape, descr: descr, bytes: Array(raw), values: nil) }
        var values = [Double](repeating: 0, count: count)
        raw.withUnsafeBytes { buffer in
            for i in 0..<count {
                let p = buffer.baseAddress! + i * width
                switch code {
                case "f4": values[i] = Double(Float(bitPattern: p.loadUnaligned(as: UInt32.self).littleEndian))
                case "f8": values[i] = Double(bitPattern: p.loadUnaligned(as: UInt64.self).littleEndian)
                case "i1": values[i] = Double(p.loadUnaligned(as: Int8.self))
                case "u2": values[i] = Double(p.loadUnaligned(as: UInt16.self).littleEndian)
                case "i2": values[i] = Double(p.loadUnaligned(as: Int16.self).littleEndian)
                case "u4": values[i] = Double(p.loadUnaligned(as: UInt32.self).littleEndian)
                case "i4": values[i] = Double(p.loadUnaligned(as: Int32.self).littleEndian)
                case "u8": values[i] = Double(p.loadUnaligned(as: UInt64.self).littleEndian)
                default: values[i] = Double(p.loadUnaligned(as: Int64.self).littleEndian)
                }
            }
        }
        return NPYArray(shape: shape, descr: descr, bytes: nil, values: values)
    }

    /// Converts a parsed array to images (see the layout and value-range rules above).
    public static func images(_ array: NPYArray, name: String, valueRange: ClosedRange<Double>? = nil) throws -> ImageArray {
        let s = array.shape
        var shape: [Int]
        var nhwc = false
        switch s.count {
        case 2: shape = s
        case 3: shape = [s[0], 1, s[1], s[2]]
        case 4 where s[1] == 1 || s[1] == 3: shape = s
        case 4 where s[3] == 1 || s[3] == 3: shape = [s[0], s[3], s[1], s[2]]; nhwc = true
        default:
            throw DataError("\(name): shape \(s) is not [N, H, W], [N, C, H, W] or [N, H, W, C] with C in {1, 3}, nor [N, D]")
        }
        func reorder<T>(_ v: [T]) -> [T] {
            guard nhwc else { return v }
            let (n, h, w, c) = (s[0], s[1], s[2], s[3])
            var out = v
            for k in 0..<n { for i in 0..<h { for j in 0..<w { for ch in 0..<c {
                out[((k * c + ch) * h + i) * w + j] = v[((k * h + i) * w + j) * c + ch]
            } } } }
            return out
        }
        if let bytes = array.bytes {
            return ImageArray(shape: shape, pixels: .uint8(reorder(bytes)), valueRange: valueRange ?? 0...255)
        }
        let values = reorder(array.values!)
        let range = try valueRange ?? (shape.count == 2 ? nil : inferRange(values, name: name))
        return ImageArray(shape: shape, pixels: .float32(values.map { Float($0) }), valueRange: range)
    }

    /// [0, 1], [-1, 1] or [0, 255]: the first that contains every value.
    static func inferRange(_ values: [Double], name: String) throws -> ClosedRange<Double> {
        let low = values.min() ?? 0, high = values.max() ?? 0
        for candidate in [0.0...1.0, -1.0...1.0, 0.0...255.0] where candidate.contains(low) && candidate.contains(high) {
            return candidate
        }
        throw DataError("\(name): values span [\(low), \(high)], outside [0, 1], [-1, 1] and [0, 255]; give the value range explicitly")
    }

    /// Labels: a 1-D integer array with one entry per image.
    static func labels(_ array: NPYArray, name: String, count: Int) throws -> [Int64] {
        guard array.shape == [count] else {
            throw DataError("\(name): labels have shape \(array.shape), expected [\(count)] (one per image)")
        }
        if let bytes = array.bytes { return bytes.map { Int64($0) } }
        guard !array.descr.contains("f") else { throw DataError("\(name): labels have dtype '\(array.descr)', expected an integer type") }
        return array.values!.map { Int64($0) }
    }

    /// Imports images from a .npy file and optionally labels from another.
    public static func readNPY(images imagesPath: String, labels labelsPath: String? = nil,
                               valueRange: ClosedRange<Double>? = nil) throws -> ImportedDataset {
        let array = try parse(try BinaryReader.readFile(imagesPath), name: imagesPath)
        let images = try self.images(array, name: imagesPath, valueRange: valueRange)
        var labels: [Int64]? = nil
        var source = "npy: \((imagesPath as NSString).lastPathComponent)"
        if let labelsPath = labelsPath {
            labels = try self.labels(try parse(try BinaryReader.readFile(labelsPath), name: labelsPath), name: labelsPath, count: images.count)
            source += " + \((labelsPath as NSString).lastPathComponent)"
        }
        return ImportedDataset(images: images, labels: labels, source: source)
    }

    /// Imports from a .npz archive. Images are entry `imagesKey` (default: the only array, or
    /// the first of images, x, x_train, arr_0 present); labels entry `labelsKey` (default: the
    /// first of labels, y, y_train, arr_1 present, if any).
    public static func readNPZ(_ path: String, imagesKey: String? = nil, labelsKey: String? = nil,
                               valueRange: ClosedRange<Double>? = nil) throws -> ImportedDataset {
        let archive = try ZipArchive(path: path)
        let keys = archive.entries.map { $0.name.hasSuffix(".npy") ? String($0.name.dropLast(4)) : $0.name }
        func entry(_ key: String) -> String { archive.entries[keys.firstIndex(of: key)!].name }
        let imageKey: String
        if let imagesKey = imagesKey {
            guard keys.contains(imagesKey) else { throw DataError("\(path): no array '\(imagesKey)' (arrays: \(keys.joined(separator: ", ")))") }
            imageKey = imagesKey
        } else if keys.count == 1 {
            imageKey = keys[0]
        } else if let found = ["images", "x", "x_train", "arr_0"].first(where: keys.contains) {
            imageKey = found
        } else {
            throw DataError("\(path): cannot tell which array holds the images (arrays: \(keys.joined(separator: ", "))); name it explicitly")
        }
        let imageName = "\(path):\(imageKey)"
        let images = try self.images(try parse(try archive.contents(of: entry(imageKey)), name: imageName),
                                     name: imageName, valueRange: valueRange)
        var labelKey = labelsKey
        if let labelsKey = labelsKey, !keys.contains(labelsKey) {
            throw DataError("\(path): no array '\(labelsKey)' (arrays: \(keys.joined(separator: ", ")))")
        }
        if labelKey == nil, imagesKey == nil {
            labelKey = ["labels", "y", "y_train", "arr_1"].first { keys.contains($0) && $0 != imageKey }
        }
        var labels: [Int64]? = nil
        if let labelKey = labelKey {
            let labelName = "\(path):\(labelKey)"
            labels = try self.labels(try parse(try archive.contents(of: entry(labelKey)), name: labelName),
                                     name: labelName, count: images.count)
        }
        let source = "npz: \((path as NSString).lastPathComponent) [\(imageKey)\(labelKey.map { ", " + $0 } ?? "")]"
        return ImportedDataset(images: images, labels: labels, source: source)
    }
}
