import CPNG
import Foundation

/// An 8-bit grayscale or RGB image in interleaved (HWC) order, read and written with
/// libpng's simplified API (any PNG bit depth, palette or alpha is converted on read;
/// alpha is composited onto black).
public struct PNGImage: Equatable {
    public let width: Int
    public let height: Int
    /// 1 (gray) or 3 (RGB).
    public let channels: Int
    /// `height * width * channels` bytes, row-major, channels interleaved.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(channels == 1 || channels == 3, "PNGImage: channels must be 1 or 3, got \(channels)")
        precondition(pixels.count == width * height * channels,
                     "PNGImage: \(pixels.count) bytes for \(width)x\(height)x\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// The largest decoded image `read` accepts (1 GiB of pixels): a damaged or hostile header
    /// announcing more fails with an error instead of a failed allocation.
    public static let maximumBytes = 1 << 30

    /// Whether the PNG file at `path` stores colour (as opposed to grayscale).
    public static func isColor(path: String) throws -> Bool {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        guard png_image_begin_read_from_file(&image, path) != 0 else {
            throw DataError("\(path): not a readable PNG file (\(message(of: image)))")
        }
        return image.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0
    }

    /// Reads the PNG at `path` converted to `channels` (1 or 3; nil keeps the file's
    /// colour type: gray stays gray, anything with colour becomes RGB).
    public static func read(path: String, channels: Int? = nil) throws -> PNGImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        guard png_image_begin_read_from_file(&image, path) != 0 else {
            throw DataError("\(path): not a readable PNG file (\(message(of: image)))")
        }
        let isColor = image.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0
        let wanted = channels ?? (isColor ? 3 : 1)
        guard wanted == 1 || wanted == 3 else { throw DataError("\(path): channels must be 1 or 3, got \(wanted)") }
        image.format = wanted == 3 ? UInt32(PNG_FORMAT_RGB) : UInt32(PNG_FORMAT_GRAY)
        let width = Int(image.width), height = Int(image.height)
        guard width * height * wanted <= maximumBytes else {
            throw DataError("\(path): a \(width)x\(height) image is too large to read (more than \(maximumBytes) bytes of pixels)")
        }
        var pixels = [UInt8](repeating: 0, count: width * height * wanted)
        var black = png_color(red: 0, green: 0, blue: 0)
        let ok = pixels.withUnsafeMutableBytes { buffer in
            png_image_finish_read(&image, &black, buffer.baseAddress, 0, nil)
        }
        guard ok != 0 else { throw DataError("\(path): corrupt or truncated PNG data (\(message(of: image)))") }
        return PNGImage(width: width, height: height, channels: wanted, pixels: pixels)
    }

    /// Writes the image as an 8-bit PNG (creating its folder if needed).
    public func write(path: String) throws {
        try OutputFolder.create(for: path)
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = channels == 3 ? UInt32(PNG_FORMAT_RGB) : UInt32(PNG_FORMAT_GRAY)
        defer { png_image_free(&image) }
        let ok = pixels.withUnsafeBytes { buffer in
            png_image_write_to_file(&image, path, 0, buffer.baseAddress, 0, nil)
        }
        guard ok != 0 else { throw DataError("\(path): cannot write PNG (\(PNGImage.message(of: image)))") }
    }

    private static func message(of image: png_image) -> String {
        var copy = image.message
        return withUnsafeBytes(of: &copy) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }
}
