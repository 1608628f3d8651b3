/// A read-only 8-bit RGB image (rows of interleaved pixels, `rowBytes` apart) that
/// lives in a mapped cache file or in an `RGBImage` it keeps alive. Training reads
/// patches straight from it; evaluation copies one image at a time with `image()`.
public struct ImageView: @unchecked Sendable {
    public let width: Int
    public let height: Int
    /// Distance between rows in bytes (≥ 3 · width: an HR view cropped to a scale's
    /// multiple keeps the full image's rows).
    public let rowBytes: Int
    public let base: UnsafePointer<UInt8>
    /// The map the pixels live in (nil for in-memory pixels).
    public let file: MappedFile?
    let owner: AnyObject

    /// A view of `file`'s bytes from `offset` on.
    public init(file: MappedFile, offset: Int, width: Int, height: Int) {
        precondition(offset + width * height * 3 <= file.length, "ImageView: \(width)×\(height) at \(offset) exceeds \(file.path)")
        (self.width, self.height, rowBytes) = (width, height, width * 3)
        base = (file.base + offset).assumingMemoryBound(to: UInt8.self)
        (self.file, owner) = (file, file)
    }

    /// A view of an in-memory image (synthetic data, tests).
    public init(_ image: RGBImage) {
        let storage = PixelStorage(image.pixels)
        (width, height, rowBytes, base, file, owner) = (image.width, image.height, image.width * 3, UnsafePointer(storage.pointer), nil, storage)
    }

    init(width: Int, height: Int, rowBytes: Int, base: UnsafePointer<UInt8>, file: MappedFile?, owner: AnyObject) {
        (self.width, self.height, self.rowBytes, self.base, self.file, self.owner) = (width, height, rowBytes, base, file, owner)
    }

    /// The top-left `w × h` part, sharing the pixels (no copy).
    public func cropped(width w: Int, height h: Int) -> ImageView {
        precondition(w <= width && h <= height, "ImageView: crop \(w)×\(h) of \(width)×\(height)")
        return ImageView(width: w, height: h, rowBytes: rowBytes, base: base, file: file, owner: owner)
    }

    /// A private copy of the pixels.
    public func image() -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        pixels.withUnsafeMutableBufferPointer { out in
            for y in 0..<height {
                (out.baseAddress! + y * width * 3).update(from: base + y * rowBytes, count: width * 3)
            }
        }
        release(rows: 0..<height)
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Lets go of this process's mapping of the pages under `rows` (see `MappedFile.release`).
    @inline(__always)
    func release(rows: Range<Int>) {
        guard let file, !rows.isEmpty else { return }
        file.release(base + rows.lowerBound * rowBytes, count: (rows.count - 1) * rowBytes + width * 3)
    }
}

/// Owns the pixel bytes of an in-memory `ImageView`.
final class PixelStorage {
    let pointer: UnsafeMutablePointer<UInt8>
    init(_ pixels: [UInt8]) {
        pointer = .allocate(capacity: max(1, pixels.count))
        pixels.withUnsafeBufferPointer { pointer.initialize(from: $0.baseAddress!, count: pixels.count) }
    }
    deinit { pointer.deallocate() }
}
