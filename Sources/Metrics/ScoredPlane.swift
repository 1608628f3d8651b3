/// The part of an image a metric reads: the top-left `width × height` pixels (the HR
/// image is cropped to the super-resolved size first) without `shave` pixels on each
/// border, on the Y channel or on R, G and B.
struct ScoredArea {
    let width, height, shave: Int
    let onY: Bool

    var innerWidth: Int { width - 2 * shave }
    var innerHeight: Int { height - 2 * shave }
    /// The channels compared, in order.
    var channels: [Channel] { onY ? [.luma] : [.red, .green, .blue] }
}

/// One channel of an RGB image on the 0…255 scale.
enum Channel {
    case red, green, blue
    /// ITU-R BT.601 luma as MATLAB's `rgb2ycbcr` and BasicSR's `to_y_channel` give it
    /// for 8-bit input, unrounded: `Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255`.
    case luma
}

/// The scored area of one channel of an interleaved 8-bit RGB image (`[y][x][c]`,
/// `rowWidth` pixels per row) as a row-major Double plane `[innerHeight, innerWidth]`.
func scoredPlane(_ pixels: [UInt8], rowWidth: Int, _ area: ScoredArea, _ channel: Channel) -> [Double] {
    let (w, h, s) = (area.innerWidth, area.innerHeight, area.shave)
    precondition(w > 0 && h > 0, "metrics: shave \(s) leaves no pixels of a \(area.width)×\(area.height) image")
    precondition(area.width <= rowWidth && pixels.count >= rowWidth * 3 * (area.height), "metrics: image smaller than the scored area")
    return [Double](unsafeUninitializedCapacity: w * h) { out, initialized in
        pixels.withUnsafeBufferPointer { p in
            for y in 0..<h {
                let row = p.baseAddress! + ((y &+ s) &* rowWidth &+ s) &* 3
                let dst = out.baseAddress! + y &* w
                switch channel {
                case .luma:
                    for x in 0..<w {
                        let px = row + x &* 3
                        dst[x] = 16 + (65.481 * Double(px[0]) + 128.553 * Double(px[1]) + 24.966 * Double(px[2])) / 255
                    }
                case .red, .green, .blue:
                    let c = channel == .red ? 0 : (channel == .green ? 1 : 2)
                    for x in 0..<w { dst[x] = Double(row[x &* 3 &+ c]) }
                }
            }
        }
        initialized = w * h
    }
}
