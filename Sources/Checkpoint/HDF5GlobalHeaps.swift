import Foundation

/// Checks the file's global heap collections (where HDF5 keeps variable-length
/// strings: every text attribute of a checkpoint) before HDF5 reads them. HDF5 1.10's
/// `H5HG_read` trusts each object's stored size and copies that many bytes out of the
/// collection: a damaged size read past the buffer and crashed (the checkpoint fuzz
/// target's second finding, `Tests/Fixtures/checkpoint/fuzz_heap_object_size.h5`).
enum HDF5GlobalHeaps {
    /// Throws unless every collection lies inside the file and each of its objects
    /// inside the collection.
    ///
    /// A collection is `GCOL`, version 1, three zero bytes, its size (little-endian
    /// 64-bit, at least 4096), then objects of a 16-byte header (index 16 bits, reference
    /// count 16, reserved 32, size 64) and their data padded to 8 bytes; index 0 is the
    /// free space that ends it. Tensor data matching that signature by chance (the
    /// 8-byte header with a plausible size) is not a realistic worry.
    static func check(_ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { (file: UnsafeRawBufferPointer) in
            let n = file.count
            func le(_ at: Int, _ bytes: Int) -> Int {
                (0..<bytes).reduce(0) { $0 | Int(file[at + $1]) << (8 * $1) }
            }
            var at = 0
            while at + 16 <= n {
                guard let hit = find(file, from: at) else { return }
                at = hit + 4
                guard hit + 16 <= n, file[hit + 4] == 1, file[hit + 5] == 0, file[hit + 6] == 0, file[hit + 7] == 0 else { continue }
                let size = le(hit + 8, 8)
                guard size >= 4096, file[hit + 15] == 0 else { continue }
                guard size <= n - hit else {
                    throw CheckpointError("\(path): the global heap at byte \(hit) claims \(size) bytes past the end of the file — the file is damaged")
                }
                var object = hit + 16
                while object + 16 <= hit + size {
                    let (index, length) = (le(object, 2), le(object + 8, 8))
                    if index == 0 { break }
                    let room = hit + size - object - 16
                    guard file[object + 15] == 0, length <= room else {
                        throw CheckpointError("\(path): object \(index) of the global heap at byte \(hit) claims \(length) bytes, "
                                              + "the heap has \(room) left — the file is damaged")
                    }
                    object += 16 + (length + 7) / 8 * 8
                }
            }
        }
    }

    /// The next offset of "GCOL" at or after `from` (memchr for the G: the scan runs at
    /// memory speed over a mapped file of any size).
    private static func find(_ file: UnsafeRawBufferPointer, from: Int) -> Int? {
        guard let base = file.baseAddress else { return nil }
        var at = from
        while at + 4 <= file.count, let p = memchr(base + at, Int32(UInt8(ascii: "G")), file.count - at) {
            let hit = base.distance(to: UnsafeRawPointer(p))
            if hit + 4 <= file.count, file[hit + 1] == UInt8(ascii: "C"), file[hit + 2] == UInt8(ascii: "O"), file[hit + 3] == UInt8(ascii: "L") {
                return hit
            }
            at = hit + 1
        }
        return nil
    }
}
