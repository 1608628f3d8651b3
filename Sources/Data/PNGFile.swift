import CPNG
import Foundation

/// PNG input and output through libpng's simplified API.
///
/// Reading always yields 8-bit RGB, with the stored samples used as they are (as
/// imageio and PIL do, and so as the EDSR/DIV2K tooling saw them):
/// - grey is expanded to R = G = B; 1, 2 and 4-bit grey is scaled to 0…255;
/// - palette images are expanded to their palette colours;
/// - an alpha channel (or a palette's tRNS) is dropped: the stored colour is kept,
///   not blended with a background;
/// - 16-bit samples are reduced to 8 bits as round(v / 257);
/// - colour-management chunks (gAMA, cHRM, sRGB, iCCP) are ignored.
public enum PNGFile {
    /// Decodes `path` to 8-bit RGB.
    /// - Throws: `DataError` naming `path` when it is missing, not a PNG, truncated or corrupt.
    public static func read(_ path: String) throws -> RGBImage {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError("\(path): cannot read the file (missing or unreadable)")
        }
        let bytes = try withoutColorManagement([UInt8](data), path: path)
        // libpng keeps reading `bytes` until finish_read: both calls stay inside
        // one withUnsafeBytes so the array outlives them.
        let (rgba, width, height) = try bytes.withUnsafeBytes { buf -> ([UInt8], Int, Int) in
            var image = png_image()
            image.version = UInt32(PNG_IMAGE_VERSION)
            guard png_image_begin_read_from_memory(&image, buf.baseAddress, buf.count) != 0 else {
                throw DataError("\(path): not a readable PNG (\(message(image)))")
            }
            // Without gAMA/sRGB libpng would treat 16-bit data as linear light and
            // gamma-encode it on the way to 8 bits; declaring it sRGB makes the
            // reduction a plain rescale.
            image.flags |= UInt32(PNG_IMAGE_FLAG_16BIT_sRGB)
            // RGBA rather than RGB: asking libpng for no alpha would composite the
            // colour onto a background instead of dropping alpha.
            image.format = PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA
            let (width, height) = (Int(image.width), Int(image.height))
            var rgba = [UInt8](repeating: 0, count: width * height * 4)
            guard rgba.withUnsafeMutableBytes({ png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }) != 0 else {
                let why = message(image)
                png_image_free(&image)
                throw DataError("\(path): corrupt PNG (\(why))")
            }
            return (rgba, width, height)
        }
        var out = RGBImage(width: width, height: height)
        out.pixels.withUnsafeMutableBufferPointer { dst in
            rgba.withUnsafeBufferPointer { src in
                for i in 0..<(width * height) {
                    dst[i &* 3] = src[i &* 4]
                    dst[i &* 3 &+ 1] = src[i &* 4 &+ 1]
                    dst[i &* 3 &+ 2] = src[i &* 4 &+ 2]
                }
            }
        }
        return out
    }

    /// Writes `image` as an 8-bit RGB PNG. The file appears complete or not at all
    /// (written to a temporary name, then renamed).
    /// - Throws: `DataError` naming `path` when it cannot be written.
    public static func write(_ image: RGBImage, to path: String) throws {
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        png.format = PNG_FORMAT_FLAG_COLOR
        let temp = path + ".tmp-\(getpid())"
        let ok = image.pixels.withUnsafeBytes { png_image_write_to_file(&png, temp, 0, $0.baseAddress, 0, nil) }
        guard ok != 0 else {
            unlink(temp)
            throw DataError("\(path): cannot write the PNG (\(message(png)))")
        }
        guard rename(temp, path) == 0 else {
            unlink(temp)
            throw DataError("\(path): cannot write the PNG (\(String(cString: strerror(errno))))")
        }
    }

    static func message(_ image: png_image) -> String {
        withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    /// Walks the chunk list and returns the file without gAMA, cHRM, sRGB and iCCP,
    /// so libpng applies no colour conversion; a chunk running past the end of the
    /// file, or a missing IEND, is reported as truncation.
    static func withoutColorManagement(_ bytes: [UInt8], path: String) throws -> [UInt8] {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else {
            throw DataError("\(path): not a PNG file (no PNG signature)")
        }
        let dropped: Set<String> = ["gAMA", "cHRM", "sRGB", "iCCP"]
        var out = signature
        out.reserveCapacity(bytes.count)
        var at = 8
        while at + 12 <= bytes.count {
            let length = bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) }
            let type = String(decoding: bytes[(at + 4)..<(at + 8)], as: UTF8.self)
            let end = at + 12 + length
            guard end <= bytes.count else { break }
            if !dropped.contains(type) { out.append(contentsOf: bytes[at..<end]) }
            if type == "IEND" { return out }
            at = end
        }
        throw DataError("\(path): truncated PNG (the file ends before the IEND chunk)")
    }
}
