/// What `PNGFile.decode` learns from a PNG's chunk list before libpng decodes anything:
/// the IHDR's size and pixel format, and how many compressed image bytes follow. From
/// these the decoder's buffers are sized and checked, so a 74-byte file claiming
/// 60000×60000 pixels is refused before any allocation.
struct PNGChunks {
    let width: Int
    let height: Int
    /// Bits per pixel as stored (bit depth × samples per pixel).
    let bitsPerPixel: Int
    /// Total length of the IDAT chunks' data.
    let compressedBytes: Int
    /// The file without gAMA, cHRM, sRGB and iCCP, so libpng applies no colour conversion.
    let withoutColorManagement: [UInt8]

    /// zlib's deflate cannot expand data by more than 1032:1 (a 258-byte match coded in
    /// 2 bits); 1100 leaves room for stream headers on tiny images.
    static let maxDeflateRatio = 1100

    /// Walks the chunk list of `bytes`; `path` is for the messages.
    /// - Throws: `DataError` for a missing signature or IHDR, an impossible header, a
    ///   chunk running past the end of the file, or a missing IEND (truncation).
    init(_ bytes: [UInt8], path: String) throws {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count >= 8, bytes[0..<8].elementsEqual(signature) else {
            throw DataError("\(path): not a PNG file (no PNG signature)")
        }
        func uint32(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        guard bytes.count >= 33, uint32(8) == 13, bytes[12..<16].elementsEqual("IHDR".utf8) else {
            throw DataError("\(path): not a readable PNG (the first chunk is not a 13-byte IHDR)")
        }
        (width, height) = (uint32(16), uint32(20))
        // The PNG specification caps both at 2^31 − 1 and forbids 0.
        guard (1...Int(Int32.max)).contains(width), (1...Int(Int32.max)).contains(height) else {
            throw DataError("\(path): not a readable PNG (IHDR size \(width)×\(height) is invalid)")
        }
        let depth = Int(bytes[24]), samples: Int
        switch bytes[25] {
        case 0, 3: samples = 1
        case 4: samples = 2
        case 2: samples = 3
        case 6: samples = 4
        default: throw DataError("\(path): not a readable PNG (IHDR colour type \(bytes[25]) is invalid)")
        }
        guard [1, 2, 4, 8, 16].contains(depth) else {
            throw DataError("\(path): not a readable PNG (IHDR bit depth \(depth) is invalid)")
        }
        bitsPerPixel = depth * samples

        let dropped: Set<String> = ["gAMA", "cHRM", "sRGB", "iCCP"]
        var out = signature
        out.reserveCapacity(bytes.count)
        var (at, idat) = (8, 0)
        while at + 12 <= bytes.count {
            let length = uint32(at)
            let type = String(decoding: bytes[(at + 4)..<(at + 8)], as: UTF8.self)
            let end = at + 12 + length
            guard end <= bytes.count else { break }
            if type == "IDAT" { idat += length }
            if !dropped.contains(type) { out.append(contentsOf: bytes[at..<end]) }
            if type == "IEND" {
                (compressedBytes, withoutColorManagement) = (idat, out)
                return
            }
            at = end
        }
        throw DataError("\(path): truncated PNG (the file ends before the IEND chunk)")
    }

    /// Throws unless the image has at most `maxPixels` pixels and its compressed data
    /// could hold them: checked with overflow-safe arithmetic before libpng allocates.
    func check(maxPixels: Int, path: String) throws {
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= maxPixels else {
            throw DataError("\(path): image is \(width)×\(height) pixels, more than the limit of \(maxPixels) "
                            + "(raise it with data.max_image_pixels or --max-image-pixels)")
        }
        // Whatever the interlacing and filtering, the decompressed stream holds at least
        // every pixel's bits: pixels ≤ 2^62 here and bitsPerPixel ≤ 64 fit in Double exactly enough.
        let minimumRaw = Double(pixels) * Double(bitsPerPixel) / 8
        guard minimumRaw <= Double(compressedBytes) * Double(Self.maxDeflateRatio) + 1024 else {
            throw DataError("\(path): truncated or corrupt PNG (\(compressedBytes) bytes of image data cannot hold "
                            + "\(width)×\(height) pixels)")
        }
    }
}
