import Foundation

/// Size and modification time of a source file; a cache entry is valid only while
/// its sources still have the stamps recorded in it. `absent` records that an LR
/// file did not exist (the LR was generated): its later appearance invalidates too.
public struct FileStamp: Equatable, Sendable {
    public var size: Int64
    public var mtimeNanoseconds: Int64

    public static let absent = FileStamp(size: -1, mtimeNanoseconds: 0)

    /// The stamp of `path`, `absent` when there is no such file.
    public init(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { self = .absent; return }
        self.init(size: Int64(st.st_size), mtimeNanoseconds: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
    }

    public init(size: Int64, mtimeNanoseconds: Int64) { (self.size, self.mtimeNanoseconds) = (size, mtimeNanoseconds) }
}

/// One decoded image on disk, the form training reads from: a rank maps the file
/// read-only and copies each patch straight out of the map, so all ranks of a node
/// share one copy of the pixels through the page cache.
///
/// One file per HR image (`<name>.hr.srd`, shared by every scale) and one per LR image
/// and scale (`<name>.x<s>.srd`). Layout (little-endian): magic `SRDCACHE`, format
/// version (UInt32), plane (UInt32: 0 for HR, else the LR's scale), HR stamp, LR stamp
/// (2 × Int64 each; the LR stamp is `absent` for HR files and generated LR images),
/// width, height (UInt32 each), zero padding to 64 bytes, the pixels (8-bit RGB rows),
/// end marker `SRDC-END`. Files are written under a unique temporary name, fsynced and
/// renamed — never rewritten in place, so a live map never sees a short file — and a
/// file whose length or end marker is wrong is treated as absent and rebuilt.
public enum ImageCache {
    public static let version: UInt32 = 2
    static let magic = Array("SRDCACHE".utf8), endMarker = Array("SRDC-END".utf8)
    static let headerSize = 64
    /// No cache file holds more pixels than this (a DIV2K image has 2.8 M); larger
    /// header values mean a foreign or damaged file, refused before anything is mapped.
    public static let maxPixels = 1 << 30

    /// What a cache file's header says.
    public struct Header: Equatable, Sendable {
        /// 0 for an HR image, else the scale of an LR image.
        public var plane: Int
        public var hrStamp: FileStamp
        public var lrStamp: FileStamp
        public var width: Int
        public var height: Int
    }

    /// The file name of an image's HR (`scale` nil) or LR plane.
    public static func fileName(_ name: String, scale: Int?) -> String {
        scale.map { "\(name).x\($0).srd" } ?? "\(name).hr.srd"
    }

    /// Maps `path` and checks its header, length and end marker; nil when there is no
    /// file or it is incomplete (to be rebuilt).
    /// - Throws: `DataError` naming `path` when it is not an srdist cache file or was
    ///   written by another cache format version.
    public static func open(_ path: String) throws -> (header: Header, view: ImageView)? {
        guard let file = try MappedFile(path: path), file.length >= headerSize + endMarker.count else { return nil }
        let bytes = UnsafeRawBufferPointer(start: file.base, count: file.length)
        guard Array(bytes[0..<8]) == magic else { throw DataError("\(path): not an srdist image cache file; delete it") }
        var reader = ByteReader(bytes: bytes, at: 8)
        let fileVersion = reader.u32()
        guard fileVersion == version else {
            throw DataError("\(path): image cache of format version \(fileVersion), this srdist reads version \(version); delete the cache folder (or set data.cache_dir to another one) to rebuild it")
        }
        let plane = Int(reader.u32())
        let hrStamp = FileStamp(size: reader.i64(), mtimeNanoseconds: reader.i64())
        let lrStamp = FileStamp(size: reader.i64(), mtimeNanoseconds: reader.i64())
        let (width, height) = (Int(reader.u32()), Int(reader.u32()))
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, width > 0, height > 0, pixels <= maxPixels else {
            throw DataError("\(path): image cache header claims \(width)×\(height) pixels; not an srdist cache file, delete it")
        }
        guard file.length == headerSize + 3 * pixels + endMarker.count,
              Array(bytes[(file.length - endMarker.count)...]) == endMarker else { return nil }
        let header = Header(plane: plane, hrStamp: hrStamp, lrStamp: lrStamp, width: width, height: height)
        let view = ImageView(file: file, offset: headerSize, width: width, height: height)
        // Only the header and the end marker were read: let go of their pages too.
        file.release(file.base, count: headerSize)
        file.release(file.base + file.length - endMarker.count, count: endMarker.count)
        return (header, view)
    }

    /// Writes `image` with `header`'s plane and stamps to `path` atomically (unique
    /// temporary file, fsync, rename), so concurrent builders of the same file both
    /// leave a complete one.
    /// - Throws: `DataError` naming `path` and the reason when it cannot be written.
    public static func write(_ image: RGBImage, plane: Int, hrStamp: FileStamp, lrStamp: FileStamp, to path: String) throws {
        var head = magic
        head.reserveCapacity(headerSize)
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { head.append(contentsOf: $0) } }
        func i64(_ v: Int64) { withUnsafeBytes(of: v.littleEndian) { head.append(contentsOf: $0) } }
        u32(Int(version))
        u32(plane)
        for stamp in [hrStamp, lrStamp] { i64(stamp.size); i64(stamp.mtimeNanoseconds) }
        u32(image.width)
        u32(image.height)
        head += [UInt8](repeating: 0, count: headerSize - head.count)
        // pid and a random tag: unique also among builders on other hosts sharing the folder.
        let temp = "\(path).tmp-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        let fd = Foundation.open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DataError("\(path): cannot write the image cache (\(String(cString: strerror(errno)))); set data.cache_dir to a writable folder") }
        var failure: String?
        for part in [head, image.pixels, endMarker] where failure == nil {
            failure = part.withUnsafeBytes { writeAll(fd, $0) }
        }
        if failure == nil, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil, rename(temp, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temp)
            throw DataError("\(path): cannot write the image cache (\(failure))")
        }
    }

    /// Writes every byte of `buffer`; the reason on failure (a short write counts:
    /// it is how a full disk shows).
    static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> String? {
        var at = 0
        while at < buffer.count {
            let n = Foundation.write(fd, buffer.baseAddress! + at, buffer.count - at)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return n == 0 ? "short write" : String(cString: strerror(errno)) }
            at += n
        }
        return nil
    }
}

/// Sequential little-endian reads from a byte buffer (bounds checked by the caller).
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var at: Int

    mutating func u32() -> UInt32 {
        defer { at += 4 }
        return (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * $1) }
    }

    mutating func i64() -> Int64 {
        defer { at += 8 }
        return Int64(bitPattern: (0..<8).reduce(0) { $0 | UInt64(bytes[at + $1]) << (8 * $1) })
    }
}
