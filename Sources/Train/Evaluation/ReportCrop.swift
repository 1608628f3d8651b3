import Data

/// The square window of side `side` (clamped to the image) where the model's output
/// and bicubic's differ most — the sum of |sr − bicubic| over its pixels and channels,
/// found with a summed-area table over every position (ties: the first in row order).
/// That is where a reader can see what the model adds; the paper's figures pick such
/// crops by hand.
/// - Returns: the window's top-left corner and its side.
public func mostDifferentWindow(_ sr: RGBImage, _ bicubic: RGBImage, side: Int) -> (x: Int, y: Int, side: Int) {
    precondition(sr.width == bicubic.width && sr.height == bicubic.height, "mostDifferentWindow: the images differ in size")
    let (w, h) = (sr.width, sr.height)
    let c = max(1, min(side, w, h))
    // table[(y + 1) * (w + 1) + (x + 1)]: the difference summed over [0, x] × [0, y].
    var table = [Int](repeating: 0, count: (w + 1) * (h + 1))
    for y in 0..<h {
        var row = 0
        for x in 0..<w {
            let i = (y * w + x) * 3
            for k in 0..<3 { row += abs(Int(sr.pixels[i + k]) - Int(bicubic.pixels[i + k])) }
            table[(y + 1) * (w + 1) + x + 1] = table[y * (w + 1) + x + 1] + row
        }
    }
    var best = (x: 0, y: 0, sum: -1)
    for y in 0...(h - c) {
        for x in 0...(w - c) {
            let sum = table[(y + c) * (w + 1) + x + c] - table[y * (w + 1) + x + c] - table[(y + c) * (w + 1) + x] + table[y * (w + 1) + x]
            if sum > best.sum { best = (x, y, sum) }
        }
    }
    return (best.x, best.y, c)
}
