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

/// One decoded HR/LR pair on disk, so later runs skip PNG decoding and downscaling.
///
/// Layout (little-endian): magic `SRDCACHE`, format version (UInt32), scale (UInt32),
/// HR stamp, LR stamp (2 × Int64 each), HR width, height, LR width, height (UInt32
/// each), HR pixels, LR pixels (8-bit RGB rows), end marker `SRDC-END`. Files are
/// written under a temporary name and renamed, and a file whose length or end marker
/// is wrong (a killed writer, a full disk) is treated as absent and rebuilt.
public enum ImageCache {
    public static let version: UInt32 = 1
    static let magic = Array("SRDCACHE".utf8), endMarker = Array("SRDC-END".utf8)
    static let headerSize = 8 + 4 + 4 + 32 + 16

    /// What a cache file holds.
    public struct Entry: Equatable {
        public var scale: Int
        public var hrStamp: FileStamp
        public var lrStamp: FileStamp
        public var hr: RGBImage
        public var lr: RGBImage
    }

    /// Reads `path`; nil when there is no file or it is incomplete (to be rebuilt).
    /// - Throws: `DataError` naming `path` when it is not an srdist cache or was
    ///   written by another cache format version.
    public static func read(_ path: String) throws -> Entry? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let bytes = [UInt8](data)
        guard bytes.count >= headerSize else { return nil }
        guard Array(bytes[0..<8]) == magic else { throw DataError("\(path): not an srdist image cache file; delete it") }
        var reader = ByteReader(bytes: bytes, at: 8)
        let fileVersion = reader.u32()
        guard fileVersion == version else {
            throw DataError("\(path): image cache of format version \(fileVersion), this srdist reads version \(version); delete the cache folder to rebuild it")
        }
        let scale = Int(reader.u32())
        let hrStamp = FileStamp(size: reader.i64(), mtimeNanoseconds: reader.i64())
        let lrStamp = FileStamp(size: reader.i64(), mtimeNanoseconds: reader.i64())
        let (hw, hh, lw, lh) = (Int(reader.u32()), Int(reader.u32()), Int(reader.u32()), Int(reader.u32()))
        let (hrBytes, lrBytes) = (hw * hh * 3, lw * lh * 3)
        guard bytes.count == headerSize + hrBytes + lrBytes + endMarker.count,
              Array(bytes[(bytes.count - endMarker.count)...]) == endMarker else { return nil }
        let hr = RGBImage(width: hw, height: hh, pixels: Array(bytes[headerSize..<(headerSize + hrBytes)]))
        let lr = RGBImage(width: lw, height: lh, pixels: Array(bytes[(headerSize + hrBytes)..<(headerSize + hrBytes + lrBytes)]))
        return Entry(scale: scale, hrStamp: hrStamp, lrStamp: lrStamp, hr: hr, lr: lr)
    }

    /// Writes `entry` to `path` atomically (temporary file, fsync, rename).
    /// - Throws: `DataError` naming `path` when it cannot be written.
    public static func write(_ entry: Entry, to path: String) throws {
        var out = magic
        out.reserveCapacity(headerSize + entry.hr.pixels.count + entry.lr.pixels.count + endMarker.count)
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { out.append(contentsOf: $0) } }
        func i64(_ v: Int64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        u32(Int(version))
        u32(entry.scale)
        for stamp in [entry.hrStamp, entry.lrStamp] { i64(stamp.size); i64(stamp.mtimeNanoseconds) }
        for n in [entry.hr.width, entry.hr.height, entry.lr.width, entry.lr.height] { u32(n) }
        out += entry.hr.pixels
        out += entry.lr.pixels
        out += endMarker
        let temp = path + ".tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw DataError("\(path): cannot write the image cache (\(String(cString: strerror(errno)))); set data.cache_dir to a writable folder") }
        let written = out.withUnsafeBytes { buf -> Bool in
            var at = 0
            while at < buf.count {
                let n = Foundation.write(fd, buf.baseAddress! + at, buf.count - at)
                if n <= 0 { return false }
                at += n
            }
            return fsync(fd) == 0
        }
        let why = String(cString: strerror(errno))
        close(fd)
        guard written, rename(temp, path) == 0 else {
            unlink(temp)
            throw DataError("\(path): cannot write the image cache (\(why))")
        }
    }
}

/// Sequential little-endian reads from a byte array (bounds checked by the caller).
struct ByteReader {
    let bytes: [UInt8]
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
