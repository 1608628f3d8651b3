import CHDF5
import CHDF5Shims
import Foundation

/// Looks at a file's first bytes before HDF5 does, so that the common ways a
/// checkpoint path can be wrong each get their own clear line instead of an HDF5
/// error stack.
enum CheckpointProbe {
    /// HDF5's format signature, at the start of the superblock.
    static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Throws unless `path` is a readable HDF5 file that no writer has open.
    static func check(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CheckpointError("\(path): no such checkpoint file")
        }
        guard !isDirectory.boolValue else { throw CheckpointError("\(path): is a folder, not a checkpoint file") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CheckpointError("\(path): cannot open the file for reading") }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 12)) ?? Data())
        guard !head.isEmpty else { throw CheckpointError("\(path): the file is empty, not a checkpoint") }
        // srdist writes the superblock at offset 0; other tools may put a user block
        // first, which HDF5 itself finds.
        guard Array(head.prefix(8)) == signature || isHDF5(path) else {
            throw CheckpointError("\(path): not an HDF5 file, so not an srdist checkpoint")
        }
        // Superblock versions 2 and 3 keep status flags in byte 11; bit 0 (open for
        // writing) and bit 2 (SWMR writing) stay set when a writer dies mid-save.
        if head.count == 12, Array(head.prefix(8)) == signature, head[8] >= 2, head[11] & 0x05 != 0 {
            throw CheckpointError("\(path): the file is still marked open for writing (a save was interrupted or is running) "
                                  + "— use the previous checkpoint")
        }
    }

    private static func isHDF5(_ path: String) -> Bool {
        srdist_h5_silence_errors()
        return H5Fis_hdf5(path) > 0
    }
}
