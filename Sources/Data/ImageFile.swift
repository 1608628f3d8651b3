import Foundation
import Support

/// Reading an image file whatever its format: the bytes are loaded once, here, and
/// decoded by their signature (PNG or JPEG), not by the file's name. A name that
/// claims the other format (a PNG named `.jpg`, a JPEG named `.png`) is refused:
/// it is usually a mix-up upstream, and the message says which format the file holds.
public enum ImageFile {
    /// The extensions srdist lists as images in a folder (lowercase, without the dot).
    public static let extensions: Set<String> = ["png", "jpg", "jpeg"]

    enum Format: String {
        case png = "PNG", jpeg = "JPEG"

        init?(signature bytes: [UInt8]) {
            if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
                self = .png
            } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
                self = .jpeg
            } else {
                return nil
            }
        }

        /// The format a file name's extension claims, nil for other names.
        init?(name: String) {
            switch (name as NSString).pathExtension.lowercased() {
            case "png": self = .png
            case "jpg", "jpeg": self = .jpeg
            default: return nil
            }
        }
    }

    /// Decodes the PNG or JPEG at `path` to 8-bit RGB (`PNGFile.decode`, `JPEGFile.decode`).
    /// - Parameter maxPixels: images with more pixels (by their header) are refused
    ///   before anything is allocated for them.
    /// - Throws: `DataError` naming `path` when it is missing, neither PNG nor JPEG, named
    ///   as the other format, truncated, corrupt, or larger than `maxPixels`.
    public static func read(_ path: String, maxPixels: Int = PNGFile.defaultMaxPixels) throws -> RGBImage {
        try decode(try load(path, maxPixels: maxPixels), path: path, maxPixels: maxPixels)
    }

    /// Decodes `bytes` by their signature; `path` names them in messages and its extension must not contradict them.
    public static func decode(_ bytes: [UInt8], path: String, maxPixels: Int = PNGFile.defaultMaxPixels) throws -> RGBImage {
        let named = Format(name: path)
        guard let format = Format(signature: bytes) else {
            switch named {
            case .png: return try PNGFile.decode(bytes, path: path, maxPixels: maxPixels)
            case .jpeg: return try JPEGFile.decode(bytes, path: path, maxPixels: maxPixels)
            case nil: throw DataError("\(path): not a PNG or JPEG file (neither signature)")
            }
        }
        if let named, named != format {
            throw DataError("\(path): the file holds a \(format.rawValue) image but is named as a \(named.rawValue); rename it")
        }
        switch format {
        case .png: return try PNGFile.decode(bytes, path: path, maxPixels: maxPixels)
        case .jpeg: return try JPEGFile.decode(bytes, path: path, maxPixels: maxPixels)
        }
    }

    /// The file's bytes through `FileDoor` (a regular file, opened without blocking),
    /// bounded by what an image within `maxPixels` can take (16-bit RGBA PNG stored
    /// uncompressed, plus room for metadata; a JPEG needs less).
    static func load(_ path: String, maxPixels: Int) throws -> [UInt8] {
        let (maxBytes, overflow) = maxPixels.multipliedReportingOverflow(by: 8)
        do {
            return try FileDoor.read(path, what: "image", maxBytes: overflow ? Int.max : maxBytes + (64 << 20))
        } catch {
            throw DataError(describe(error))
        }
    }
}
