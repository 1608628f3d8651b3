import Foundation

/// A raw fixture image written by tools/reference/bicubic_fixtures.py: width and height
/// (little-endian UInt32), then the RGB rows.
/// - Throws: when the file is missing or shorter than its header says.
public func readRawRGB(_ path: String) throws -> (width: Int, height: Int, pixels: [UInt8]) {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
    }
    let bytes = [UInt8](data)
    func u32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
    guard bytes.count >= 8, bytes.count == 8 + u32(0) * u32(4) * 3 else { throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: path]) }
    return (u32(0), u32(4), Array(bytes[8...]))
}
