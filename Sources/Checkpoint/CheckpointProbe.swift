import Foundation

/// Looks at a file's first bytes before HDF5 does, so that the common ways a
/// checkpoint path can be wrong each get their own clear line instead of an HDF5
/// error stack.
enum CheckpointProbe {
    /// HDF5's format signature, at the start of the superblock.
    static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Throws unless `bytes` (the whole file at `path`) are an HDF5 file that no writer
    /// has open.
    static func check(_ bytes: [UInt8], path: String) throws {
        guard !bytes.isEmpty else { throw CheckpointError("\(path): the file is empty, not a checkpoint") }
        // srdist writes the superblock at offset 0; other tools may put a user block
        // first (512 bytes or a larger power of two), where HDF5 itself looks for it.
        guard let at = ([0] + (9..<40).map { 1 << $0 }).prefix(while: { $0 + 8 <= bytes.count })
            .first(where: { Array(bytes[$0..<$0 + 8]) == signature }) else {
            throw CheckpointError("\(path): not an HDF5 file, so not an srdist checkpoint")
        }
        // Superblock versions 2 and 3 keep status flags in byte 11; bit 0 (open for
        // writing) and bit 2 (SWMR writing) stay set when a writer dies mid-save.
        if at + 12 <= bytes.count, bytes[at + 8] >= 2, bytes[at + 11] & 0x05 != 0 {
            throw CheckpointError("\(path): the file is still marked open for writing (a save was interrupted or is running) "
                                  + "— use the previous checkpoint")
        }
    }
}
