import Foundation
import Kernels

/// Procedurally generated textured photographs-in-spirit: smooth colour gradients,
/// hard-edged shapes, thin text-like strokes and fine noise, so a tiny network has
/// both easy (smooth) and hard (edges, strokes) detail to learn. Used by the demo and
/// the tests so neither needs a download. Image i is a pure function of (seed, i).
public enum SyntheticImages {
    public static func make(count: Int, size: Int, seed: UInt64) -> [RGBImage] {
        (0..<count).map { image(index: $0, size: size, seed: seed) }
    }

    public static func image(index: Int, size: Int, seed: UInt64) -> RGBImage {
        image(index: index, width: size, height: size, seed: seed)
    }

    /// A `width × height` image; for a square one the same as `image(index:size:seed:)`.
    public static func image(index: Int, width: Int, height: Int, seed: UInt64) -> RGBImage {
        let rng = CounterRandom(seed: seed ^ 0x5EED_1A6E)
        let stream = UInt64(index)
        var next: UInt64 = 0
        func r() -> Double { next += 1; return Double(rng.unit(stream, next)) }
        let (long, short) = (Double(max(width, height)), Double(min(width, height)))
        var img = [Double](repeating: 0, count: width * height * 3)
        // Background: a linear gradient between two random colours.
        let c0 = (0..<3).map { _ in 40 + 170 * r() }, c1 = (0..<3).map { _ in 40 + 170 * r() }
        let angle = 2 * Double.pi * r()
        let (dx, dy) = (cos(angle), sin(angle))
        for y in 0..<height {
            for x in 0..<width {
                let t = min(max(0.5 + (Double(x) * dx + Double(y) * dy) / (2 * long), 0), 1)
                for c in 0..<3 { img[(y * width + x) * 3 + c] = c0[c] * (1 - t) + c1[c] * t }
            }
        }
        // Shapes: filled discs and rectangles with hard edges (only their bounding
        // boxes are visited).
        for _ in 0..<(4 + Int(r() * 5)) {
            let color = (0..<3).map { _ in 255 * r() }
            let (cx, cy, rad) = (r() * Double(width), r() * Double(height), (0.05 + 0.2 * r()) * short)
            let disc = r() < 0.5
            let (x0, x1) = (max(0, Int(cx - rad) - 1), min(width, Int(cx + rad) + 2))
            let (y0, y1) = (max(0, Int(cy - rad) - 1), min(height, Int(cy + rad) + 2))
            for y in y0..<max(y0, y1) {
                for x in x0..<max(x0, x1) {
                    let (ddx, ddy) = (Double(x) - cx, Double(y) - cy)
                    let inside = disc ? ddx * ddx + ddy * ddy < rad * rad : abs(ddx) < rad && abs(ddy) < rad * 0.6
                    if inside { for c in 0..<3 { img[(y * width + x) * 3 + c] = color[c] } }
                }
            }
        }
        // Strokes: thin dark line segments, like handwriting or text.
        for _ in 0..<(6 + Int(r() * 8)) {
            let (x0, y0) = (r() * Double(width), r() * Double(height))
            let (len, a) = ((0.1 + 0.3 * r()) * short, 2 * Double.pi * r())
            let ink = 255 * r() * 0.3
            for s in 0..<Int(len * 2) {
                let t = Double(s) / 2
                let (x, y) = (Int(x0 + t * cos(a)), Int(y0 + t * sin(a)))
                guard x >= 0, y >= 0, x < width, y < height else { continue }
                for c in 0..<3 { img[(y * width + x) * 3 + c] = ink }
            }
        }
        // Fine texture: low-amplitude noise.
        var pixels = [UInt8](repeating: 0, count: img.count)
        for i in img.indices { pixels[i] = UInt8(min(max((img[i] + 12 * (r() - 0.5)).rounded(), 0), 255)) }
        return RGBImage(width: width, height: height, pixels: pixels)
    }
}
