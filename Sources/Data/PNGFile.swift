import CPNG
import Foundation
import Support

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
    /// Pixels per image unless the caller raises it (`data.max_image_pixels`,
    /// `--max-image-pixels`): 256 Mpx, 1 GB of RGBA while decoding, far above DIV2K's 2.8 Mpx.
    public static let defaultMaxPixels = 1 << 28

    /// Decodes `path` to 8-bit RGB.
    /// - Parameter maxPixels: images with more pixels (by their header) are refused
    ///   before anything is allocated for them.
    /// - Throws: `DataError` naming `path` when it is missing, not a PNG, truncated,
    ///   corrupt, or larger than `maxPixels`.
    public static func read(_ path: String, maxPixels: Int = defaultMaxPixels) throws -> RGBImage {
        // The file is read whole: bound it by what an image within the limit can take
        // (16-bit RGBA stored uncompressed, plus room for metadata chunks).
        let (maxBytes, overflow) = maxPixels.multipliedReportingOverflow(by: 8)
        let data: [UInt8]
        do {
            data = try FileDoor.read(path, what: "image", maxBytes: overflow ? Int.max : maxBytes + (64 << 20))
        } catch {
            throw DataError(describe(error))
        }
        return try decode(data, path: path, maxPixels: maxPixels)
    }

    /// Decodes a PNG file's bytes (`read` after loading them; the fuzz target's entry).
    /// - Parameter path: the name to put in messages.
    public static func decode(_ file: [UInt8], path: String, maxPixels: Int = defaultMaxPixels) throws -> RGBImage {
        let chunks = try PNGChunks(file, path: path)
        try chunks.check(maxPixels: maxPixels, path: path)
        let bytes = chunks.withoutColorManagement
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
            guard width == chunks.width, height == chunks.height else {
                png_image_free(&image)
                throw DataError("\(path): corrupt PNG (libpng reads \(width)×\(height), the IHDR says \(chunks.width)×\(chunks.height))")
            }
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

    /// Writes `image` as an 8-bit RGB PNG through `FileDoor`: the file appears complete
    /// or not at all, and only a regular file (or nothing) is replaced at `path`.
    /// - Throws: `DataError` naming `path` when it cannot be written.
    public static func write(_ image: RGBImage, to path: String) throws {
        do {
            try FileDoor.writeAtomically(try encode(image), to: path, what: "PNG")
        } catch let error as FileDoorError {
            throw DataError(error.description)
        } catch {
            throw DataError("\(path): \(describe(error))")
        }
    }

    /// `image` as the bytes of an 8-bit RGB PNG (for embedding, e.g. TensorBoard's
    /// image summaries).
    /// - Throws: `DataError` when libpng refuses (it reports why).
    public static func encode(_ image: RGBImage) throws -> [UInt8] {
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        png.format = PNG_FORMAT_FLAG_COLOR
        // libpng's two-call protocol: the first call (no buffer) reports the size.
        var size = 0
        var ok = image.pixels.withUnsafeBytes { png_image_write_to_memory(&png, nil, &size, 0, $0.baseAddress, 0, nil) }
        var bytes = [UInt8](repeating: 0, count: size)
        if ok != 0 {
            ok = image.pixels.withUnsafeBytes { pixels in
                bytes.withUnsafeMutableBytes { png_image_write_to_memory(&png, $0.baseAddress, &size, 0, pixels.baseAddress, 0, nil) }
            }
        }
        guard ok != 0 else { throw DataError("cannot encode a \(image.width)×\(image.height) PNG (\(message(png)))") }
        return Array(bytes.prefix(size))
    }

    static func message(_ image: png_image) -> String {
        withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
