import Foundation
import Support

/// The width and height an image file's header declares, read without decoding it. A
/// cache entry is trusted only while its own header agrees with its source's, so an
/// entry edited in place (width and height swapped, same length) is rebuilt, not
/// trained on.
enum ImageDimensions {
    /// The dimensions `path`'s header declares; nil for a format whose header is not
    /// read here.
    /// - Throws: `DataError` naming `path` when it cannot be opened as a regular file.
    static func declared(_ path: String) throws -> (width: Int, height: Int)? {
        let fd: Int32
        do { fd = try FileDoor.openForReading(path, what: "image") } catch { throw DataError(describe(error)) }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 24)
        guard pread(fd, &head, head.count, 0) == head.count else { return nil }
        // PNG: the signature, then IHDR first with width and height big-endian.
        guard head.prefix(8).elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
              head[12..<16].elementsEqual(Array("IHDR".utf8)) else { return nil }
        func be32(_ at: Int) -> Int { head[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be32(16), be32(20))
    }

    /// Whether `view` has the dimensions `path` declares (true when its format's header
    /// is not read here).
    static func agree(_ path: String, with view: ImageView) throws -> Bool {
        guard let (width, height) = try declared(path) else { return true }
        return (width, height) == (view.width, view.height)
    }
}
