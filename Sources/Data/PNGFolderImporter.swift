import Foundation

/// Imports a folder of PNG files (sorted by name). If the folder holds subfolders instead,
/// each subfolder is a class (labels 0, 1, ... in sorted subfolder order) and its PNGs are
/// its images. Channels: `channels` (1 or 3) or, if nil, those of the first image (gray
/// stays gray, colour becomes RGB); every image is converted to them.
///
/// Size rule: without `size` every image must have the first image's size. With `size` S,
/// each image is centre-cropped to its largest centred square (the extra columns or rows
/// split evenly, the odd one off the right/bottom) and resampled to S x S bilinearly with
/// pixel centres aligned (source coordinate (i + 0.5) * side / S - 0.5, clamped at edges).
public enum PNGFolderImporter {
    public static func read(folder: String, channels: Int? = nil, size: Int? = nil) throws -> ImportedDataset {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DataError("\(folder): no such folder")
        }
        func pngs(in directory: String) throws -> [String] {
            try manager.contentsOfDirectory(atPath: directory).filter { $0.lowercased().hasSuffix(".png") }.sorted()
                .map { (directory as NSString).appendingPathComponent($0) }
        }
        let top = try pngs(in: folder)
        let classes = try manager.contentsOfDirectory(atPath: folder).sorted().filter { name in
            var dir: ObjCBool = false
            return manager.fileExists(atPath: (folder as NSString).appendingPathComponent(name), isDirectory: &dir) && dir.boolValue
        }
        var files: [(path: String, label: Int64?)] = top.map { ($0, nil) }
        if top.isEmpty {
            for (k, name) in classes.enumerated() {
                files += try pngs(in: (folder as NSString).appendingPathComponent(name)).map { ($0, Int64(k)) }
            }
        }
        guard let first = files.first else { throw DataError("\(folder): no .png files (directly or in class subfolders)") }
        if let size = size, size < 1 { throw DataError("\(folder): target size \(size) must be positive") }
        let firstImage = try PNGImage.read(path: first.path, channels: channels)
        let c = firstImage.channels
        let (h, w) = size.map { ($0, $0) } ?? (firstImage.height, firstImage.width)
        var pixels: [UInt8] = []
        pixels.reserveCapacity(files.count * c * h * w)
        for file in files {
            var image = try PNGImage.read(path: file.path, channels: c)
            if let size = size {
                image = resize(image, to: size)
            } else if image.width != w || image.height != h {
                throw DataError("\(file.path): image is \(image.width)x\(image.height), expected \(w)x\(h) like \(first.path); pass a size to resize")
            }
            // HWC -> CHW
            for ch in 0..<c { for i in 0..<h { for j in 0..<w { pixels.append(image.pixels[(i * w + j) * c + ch]) } } }
        }
        let labels = files.first?.label == nil ? nil : files.map { $0.label! }
        let source = "png-folder: \((folder as NSString).lastPathComponent) (\(files.count) files\(labels == nil ? "" : ", \(classes.count) classes: \(classes.joined(separator: ", "))"))"
        return ImportedDataset(images: ImageArray(shape: [files.count, c, h, w], bytes: pixels), labels: labels, source: source)
    }

    /// Centre crop to a square, then bilinear resampling to `size` x `size` (see the type's rule).
    public static func resize(_ image: PNGImage, to size: Int) -> PNGImage {
        let side = min(image.width, image.height)
        let left = (image.width - side) / 2, top = (image.height - side) / 2
        let c = image.channels
        var out = [UInt8](repeating: 0, count: size * size * c)
        let scale = Double(side) / Double(size)
        func source(_ k: Int) -> (Int, Int, Double) {
            let x = min(Double(side - 1), max(0, (Double(k) + 0.5) * scale - 0.5))
            let x0 = Int(x.rounded(.down))
            return (x0, min(side - 1, x0 + 1), x - Double(x0))
        }
        for i in 0..<size {
            let (y0, y1, fy) = source(i)
            for j in 0..<size {
                let (x0, x1, fx) = source(j)
                for ch in 0..<c {
                    func p(_ y: Int, _ x: Int) -> Double { Double(image.pixels[((top + y) * image.width + left + x) * c + ch]) }
                    let value = (1 - fy) * ((1 - fx) * p(y0, x0) + fx * p(y0, x1)) + fy * ((1 - fx) * p(y1, x0) + fx * p(y1, x1))
                    out[(i * size + j) * c + ch] = UInt8(min(255, max(0, value.rounded())))
                }
            }
        }
        return PNGImage(width: size, height: size, channels: c, pixels: out)
    }
}
