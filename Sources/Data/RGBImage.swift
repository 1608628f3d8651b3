/// An 8-bit RGB image, pixels interleaved row by row (`[y][x][c]`), as PNG stores it.
public struct RGBImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3, "RGBImage: pixel count does not match \(width)×\(height)×3")
        (self.width, self.height, self.pixels) = (width, height, pixels)
    }

    public init(width: Int, height: Int) {
        self.init(width: width, height: height, pixels: [UInt8](repeating: 0, count: width * height * 3))
    }

    @inline(__always)
    public subscript(x: Int, y: Int, c: Int) -> UInt8 {
        get { pixels[(y * width + x) * 3 + c] }
        set { pixels[(y * width + x) * 3 + c] = newValue }
    }

    /// The top-left `width × height` part (HR images are cropped to a multiple of the scale).
    public func cropped(width w: Int, height h: Int) -> RGBImage {
        if w == width && h == height { return self }
        return cropped(x: 0, y: 0, width: w, height: h)
    }

    /// The `width × height` part whose top-left corner is (`x`, `y`).
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) -> RGBImage {
        precondition(x >= 0 && y >= 0 && x + w <= width && y + h <= height, "RGBImage.cropped: window outside the image")
        var out = RGBImage(width: w, height: h)
        for row in 0..<h {
            let from = ((y + row) * width + x) * 3
            out.pixels.replaceSubrange((row * w * 3)..<((row + 1) * w * 3), with: pixels[from..<(from + w * 3)])
        }
        return out
    }

    /// Planar float copy `[3, h, w]` on the 0…255 scale, the networks' input layout.
    public func planar() -> [Float] {
        var out = [Float](repeating: 0, count: pixels.count)
        let plane = width * height
        for i in 0..<plane {
            for c in 0..<3 { out[c * plane + i] = Float(pixels[i * 3 + c]) }
        }
        return out
    }

    /// Rounds and clamps a planar `[3, h, w]` float image back to 8 bits (how outputs
    /// are quantised before they are scored or saved).
    /// - Throws: `DataError` when a value is NaN or ±∞ (a network with damaged or
    ///   diverged weights): such a number has no pixel value.
    public init(planar: UnsafePointer<Float>, width: Int, height: Int) throws {
        self.init(width: width, height: height)
        let plane = width * height
        for i in 0..<plane {
            for c in 0..<3 {
                let v = planar[c * plane + i]
                guard v.isFinite else {
                    throw DataError("the model's output holds \(v) at pixel (\(i % width), \(i / width)): no pixel value for it — "
                                    + "the weights are damaged or training diverged")
                }
                pixels[i * 3 + c] = UInt8(min(max(v.rounded(), 0), 255))
            }
        }
    }
}
