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
        let rng = CounterRandom(seed: seed ^ 0x5EED_1A6E)
        let stream = UInt64(index)
        var next: UInt64 = 0
        func r() -> Double { next += 1; return Double(rng.unit(stream, next)) }
        var img = [Double](repeating: 0, count: size * size * 3)
        // Background: a linear gradient between two random colours.
        let c0 = (0..<3).map { _ in 40 + 170 * r() }, c1 = (0..<3).map { _ in 40 + 170 * r() }
        let angle = 2 * Double.pi * r()
        let (dx, dy) = (cos(angle), sin(angle))
        for y in 0..<size {
            for x in 0..<size {
                let t = min(max(0.5 + (Double(x) * dx + Double(y) * dy) / Double(2 * size), 0), 1)
                for c in 0..<3 { img[(y * size + x) * 3 + c] = c0[c] * (1 - t) + c1[c] * t }
            }
        }
        // Shapes: filled discs and rectangles with hard edges.
        for _ in 0..<(4 + Int(r() * 5)) {
            let color = (0..<3).map { _ in 255 * r() }
            let (cx, cy, rad) = (r() * Double(size), r() * Double(size), (0.05 + 0.2 * r()) * Double(size))
            let disc = r() < 0.5
            for y in 0..<size {
                for x in 0..<size {
                    let (ddx, ddy) = (Double(x) - cx, Double(y) - cy)
                    let inside = disc ? ddx * ddx + ddy * ddy < rad * rad : abs(ddx) < rad && abs(ddy) < rad * 0.6
                    if inside { for c in 0..<3 { img[(y * size + x) * 3 + c] = color[c] } }
                }
            }
        }
        // Strokes: thin dark line segments, like handwriting or text.
        for _ in 0..<(6 + Int(r() * 8)) {
            let (x0, y0) = (r() * Double(size), r() * Double(size))
            let (len, a) = ((0.1 + 0.3 * r()) * Double(size), 2 * Double.pi * r())
            let ink = 255 * r() * 0.3
            for s in 0..<Int(len * 2) {
                let t = Double(s) / 2
                let (x, y) = (Int(x0 + t * cos(a)), Int(y0 + t * sin(a)))
                guard x >= 0, y >= 0, x < size, y < size else { continue }
                for c in 0..<3 { img[(y * size + x) * 3 + c] = ink }
            }
        }
        // Fine texture: low-amplitude noise.
        var pixels = [UInt8](repeating: 0, count: img.count)
        for i in img.indices { pixels[i] = UInt8(min(max((img[i] + 12 * (r() - 0.5)).rounded(), 0), 255)) }
        return RGBImage(width: size, height: size, pixels: pixels)
    }
}
