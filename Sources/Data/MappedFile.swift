import Foundation
import Support

/// A whole file mapped read-only and shared (`MAP_SHARED`): every process on a node
/// that maps the same cache file reads the same page-cache pages, so a dataset is in
/// memory once per node however many ranks train on it.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let base: UnsafeRawPointer
    public let length: Int
    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Maps `path`; nil when it does not exist.
    /// - Throws: `DataError` naming `path` when it exists but cannot be opened or mapped.
    public init?(path: String) throws {
        guard access(path, F_OK) == 0 || errno != ENOENT else { return nil }
        let fd: Int32
        do { fd = try FileDoor.openForReading(path, what: "image cache") } catch { throw DataError(describe(error)) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw DataError("\(path): cannot read the image cache file (\(String(cString: strerror(errno))))") }
        let length = Int(st.st_size)
        guard length > 0 else { return nil }
        let mapped = mmap(nil, length, PROT_READ, MAP_SHARED, fd, 0)
        guard let mapped, mapped != MAP_FAILED else {
            throw DataError("\(path): cannot map the image cache file (\(String(cString: strerror(errno))))")
        }
        (self.path, self.base, self.length) = (path, UnsafeRawPointer(mapped), length)
        faultSlot = MappedFileFault.record(base: base, length: length, path: path)
    }

    /// This map's entry in `MappedFileFault`'s table.
    private var faultSlot: Int?

    deinit {
        if let faultSlot { MappedFileFault.forget(faultSlot) }
        munmap(UnsafeMutableRawPointer(mutating: base), length)
    }

    /// Drops this process's page-table entries for the pages under `bytes` (the
    /// pages stay in the page cache for every other reader). The patch sampler calls
    /// it after each copy, so a rank's resident share of the dataset stays O(batch)
    /// instead of growing to every page it ever touched.
    ///
    /// The range is widened to whole 2 MiB windows of the address space: on a read
    /// fault Linux maps more than the faulting page — the cached pages around it
    /// ("fault-around", 64 KiB) or, where the page cache holds a 2 MiB folio (ext4
    /// and others since Linux 6.16), the whole folio as one huge mapping, of which
    /// releasing a part would leave the rest mapped. Measured on 6.18: with 64 KiB
    /// windows a rank kept ~0.2 MB per patch mapped, with 2 MiB ones nothing.
    public func release(_ start: UnsafeRawPointer, count: Int) {
        let window = 1 << 21
        let from = max(Int(bitPattern: start) & ~(window - 1), Int(bitPattern: base))
        let to = min((Int(bitPattern: start) + count + window - 1) & ~(window - 1), Int(bitPattern: base) + length)
        guard to > from else { return }
        madvise(UnsafeMutableRawPointer(bitPattern: from), to - from, MADV_DONTNEED)
    }
}
