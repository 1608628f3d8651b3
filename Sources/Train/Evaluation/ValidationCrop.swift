import Data
import Foundation
import Models

extension Trainer {
    /// Side of the LR crop shown in TensorBoard: at ×4 a 128-pixel HR panel.
    static let cropSide = 32

    /// Per scale, the centre of the first validation image as three panels side by
    /// side — bicubic | model | HR — with the weights validation scores (EMA when
    /// kept), for TensorBoard's image tab. Rank 0 only (it holds the validation images).
    public func validationCrops() -> [Int: RGBImage] {
        var crops: [Int: RGBImage] = [:]
        for s in config.model.scales {
            guard let pair = data.validation[s]?.first else { continue }
            let (lrFull, hrFull) = (pair.lr.image(), pair.hr.image())
            let side = min(Self.cropSide, lrFull.width, lrFull.height)
            let (x, y) = ((lrFull.width - side) / 2, (lrFull.height - side) / 2)
            let lr = lrFull.region(x: x, y: y, width: side, height: side)
            let out = scoredWeights { Upscaler(model, scale: s).upscale(lr.planar(), h: side, w: side) }
            // A non-finite output has no picture; the validation reports it.
            guard let sr = try? out.withUnsafeBufferPointer({ try RGBImage(planar: $0.baseAddress!, width: side * s, height: side * s) }) else {
                continue
            }
            let hr = hrFull.region(x: x * s, y: y * s, width: side * s, height: side * s)
            crops[s] = RGBImage(sideBySide: [Bicubic.upscale(lr, by: s), sr, hr])
        }
        return crops
    }
}

extension RGBImage {
    /// The `width × height` part whose top-left corner is (`x`, `y`).
    func region(x: Int, y: Int, width w: Int, height h: Int) -> RGBImage {
        var out = RGBImage(width: w, height: h)
        for row in 0..<h {
            let from = ((y + row) * width + x) * 3
            out.pixels.replaceSubrange((row * w * 3)..<((row + 1) * w * 3), with: pixels[from..<(from + w * 3)])
        }
        return out
    }

    /// Images of one height placed left to right.
    init(sideBySide panels: [RGBImage]) {
        let h = panels[0].height, w = panels.map(\.width).reduce(0, +)
        self.init(width: w, height: h)
        var x = 0
        for panel in panels {
            for row in 0..<h {
                let to = (row * w + x) * 3
                pixels.replaceSubrange(to..<(to + panel.width * 3), with: panel.pixels[(row * panel.width * 3)..<((row + 1) * panel.width * 3)])
            }
            x += panel.width
        }
    }
}
