import CJPEG
import Foundation

/// JPEG input through libjpeg-turbo's TurboJPEG API, always to 8-bit RGB.
///
/// The pixels are libjpeg-turbo's defaults — accurate integer IDCT, fancy (smooth)
/// chroma upsampling — which is what PIL's `Image.open(p).convert("RGB")` and OpenCV's
/// `cv2.imread` (as RGB) return, both being libjpeg-turbo with the same defaults:
/// - grey JPEGs are expanded to R = G = B;
/// - CMYK/YCCK JPEGs are refused (no conversion to RGB matches the Python tools);
/// - 12-bit JPEGs are refused (libjpeg-turbo reads 8-bit ones);
/// - EXIF orientation is not applied (as PIL, unlike `cv2.imread` without
///   `IMREAD_IGNORE_ORIENTATION`), and ICC profiles are ignored (as both).
public enum JPEGFile {
    /// Decodes a JPEG file's bytes (`ImageFile.read` after loading them; the fuzz target's entry).
    /// - Parameters:
    ///   - path: the name to put in messages.
    ///   - maxPixels: images with more pixels (by their frame header) are refused
    ///     before anything is allocated for them.
    /// - Throws: `DataError` naming `path` when the bytes are not a JPEG, it is CMYK or
    ///   12-bit, truncated or corrupt, has more than 500 scans, or more than `maxPixels` pixels.
    public static func decode(_ file: [UInt8], path: String, maxPixels: Int = PNGFile.defaultMaxPixels) throws -> RGBImage {
        guard file.count >= 3, file[0] == 0xFF, file[1] == 0xD8, file[2] == 0xFF else {
            throw DataError("\(path): not a JPEG file (no JPEG signature)")
        }
        guard let handle = tjInitDecompress() else { throw DataError("\(path): cannot start the JPEG decoder") }
        defer { tjDestroy(handle) }
        var (width, height, subsampling, colorspace): (Int32, Int32, Int32, Int32) = (0, 0, 0, 0)
        let header = file.withUnsafeBufferPointer {
            tjDecompressHeader3(handle, $0.baseAddress, UInt($0.count), &width, &height, &subsampling, &colorspace)
        }
        guard header == 0 else { throw DataError("\(path): not a readable JPEG (\(message(handle)))") }
        guard colorspace != Int32(TJCS_CMYK.rawValue), colorspace != Int32(TJCS_YCCK.rawValue) else {
            throw DataError("\(path): CMYK JPEG; srdist reads RGB and grey JPEGs only, convert it to RGB first")
        }
        let (pixels, overflow) = Int(width).multipliedReportingOverflow(by: Int(height))
        guard !overflow, pixels <= maxPixels else {
            throw DataError("\(path): image is \(width)×\(height) pixels, more than the limit of \(maxPixels) "
                            + "(raise it with data.max_image_pixels or --max-image-pixels)")
        }
        var out = RGBImage(width: Int(width), height: Int(height))
        // A warning (a premature end of the data, a corrupt segment) fails the decode
        // instead of filling the rest with grey; the scan limit bounds the time a
        // progressive file with thousands of tiny scans takes.
        let flags = TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS
        let status = file.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                tjDecompress2(handle, src.baseAddress, UInt(src.count), dst.baseAddress, width, 0, height, Int32(TJPF_RGB.rawValue), flags)
            }
        }
        guard status == 0 else { throw DataError("\(path): truncated or corrupt JPEG (\(message(handle)))") }
        return out
    }

    /// The width and height of an open JPEG file's frame header, read by walking the
    /// marker segments before it (EXIF, ICC, tables) without decoding; nil when no frame
    /// header comes before the first scan within `limit` bytes.
    static func frameSize(_ fd: Int32, limit: Int = 1 << 20) -> (width: Int, height: Int)? {
        var segment = [UInt8](repeating: 0, count: 9)
        var at = 2
        while at < limit {
            guard pread(fd, &segment, 4, off_t(at)) == 4, segment[0] == 0xFF else { return nil }
            let marker = segment[1]
            // 0xFF fill bytes may precede a marker.
            if marker == 0xFF { at += 1; continue }
            // SOF0…SOF15 except DHT (C4), JPG (C8) and DAC (CC): FF Cn, length, precision, height, width.
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                guard pread(fd, &segment, 9, off_t(at)) == 9 else { return nil }
                return (Int(segment[7]) << 8 | Int(segment[8]), Int(segment[5]) << 8 | Int(segment[6]))
            }
            let length = Int(segment[2]) << 8 | Int(segment[3])
            guard marker != 0xDA, length >= 2 else { return nil }
            at += 2 + length
        }
        return nil
    }

    /// TurboJPEG's last error for `handle`, without a trailing period or newline.
    static func message(_ handle: tjhandle) -> String {
        let text = tjGetErrorStr2(handle).map { String(cString: $0) } ?? "unknown error"
        return text.trimmingCharacters(in: CharacterSet(charactersIn: ". \n"))
    }
}
