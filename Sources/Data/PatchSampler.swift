import Kernels

/// An HR image and its LR counterpart for one scale, as views of the cache maps (or
/// of in-memory images): the HR is `scale ×` the LR size.
public struct ImagePair: Sendable {
    public let name: String
    public let hr: ImageView
    public let lr: ImageView
    public let scale: Int

    public init(name: String, hr: ImageView, lr: ImageView, scale: Int) {
        (self.name, self.hr, self.lr, self.scale) = (name, hr, lr, scale)
    }

    /// A pair of in-memory images.
    public init(name: String, hr: RGBImage, lr: RGBImage, scale: Int) {
        self.init(name: name, hr: ImageView(hr), lr: ImageView(lr), scale: scale)
    }
}

/// Draws training patches. Sample `j` of global step `t` is a pure function of
/// (seed, t, j): which image, where, and which of the 8 flips/rotations. So the data
/// of a step does not depend on which rank computes a sample or how many ranks there
/// are; each rank asks for its contiguous share `samples` of the global batch.
public struct PatchSampler: Sendable {
    public let pairs: [ImagePair]
    public let patch: Int
    public let scale: Int
    public let augment: Bool
    let rng: CounterRandom

    /// - Parameters:
    ///   - patch: LR patch side; the HR patch is `patch × scale`.
    public init(pairs: [ImagePair], patch: Int, seed: UInt64, augment: Bool = true) {
        precondition(!pairs.isEmpty, "PatchSampler: no images")
        self.pairs = pairs
        self.patch = patch
        scale = pairs[0].scale
        self.augment = augment
        rng = CounterRandom(seed: seed)
    }

    public var lrCount: Int { 3 * patch * patch }
    public var hrCount: Int { lrCount * scale * scale }

    /// Writes samples `samples` of step `step` as planar 0…255 floats:
    /// `lr` `[samples.count, 3, patch, patch]`, `hr` `[samples.count, 3, patch·s, patch·s]`.
    public func fill(step: Int, samples: Range<Int>, lr: UnsafeMutablePointer<Float>, hr: UnsafeMutablePointer<Float>) {
        for (k, j) in samples.enumerated() {
            // Stream per step, index per (sample, draw): 4 draws per sample.
            let stream = UInt64(step), base = UInt64(j) &* 4
            let pair = pairs[rng.below(pairs.count, stream, base)]
            let x = rng.below(pair.lr.width - patch + 1, stream, base + 1)
            let y = rng.below(pair.lr.height - patch + 1, stream, base + 2)
            let transform = augment ? rng.below(8, stream, base + 3) : 0
            copyPatch(pair.lr, x: x, y: y, size: patch, transform: transform, into: lr + k * lrCount)
            copyPatch(pair.hr, x: x * scale, y: y * scale, size: patch * scale, transform: transform, into: hr + k * hrCount)
        }
    }
}

/// Copies a `size²` window at (x, y) into planar `[3, size, size]` floats, applying
/// dihedral transform `t` (bit 0: horizontal flip, bit 1: vertical flip, bit 2:
/// transpose — applied first), the paper's flips and 90° rotations. Output pixel
/// (ox, oy) reads source pixel `origin + ox·stepX + oy·stepY`, so the loop has no
/// branches. The window's pages of a mapped image are released afterwards.
func copyPatch(_ img: ImageView, x: Int, y: Int, size: Int, transform t: Int, into out: UnsafeMutablePointer<Float>) {
    let plane = size * size, row = img.rowBytes, last = size - 1
    // Flips act on the source axes: walk source x and y backwards from the far edge.
    let dx = t & 1 != 0 ? -3 : 3, dy = t & 2 != 0 ? -row : row
    let origin = y * row + x * 3 + (t & 1 != 0 ? last * 3 : 0) + (t & 2 != 0 ? last * row : 0)
    // Transposing swaps which source axis the output's x and y walk along.
    let (stepX, stepY) = t & 4 != 0 ? (dy, dx) : (dx, dy)
    let base = img.base
    for oy in 0..<size {
        var src = origin &+ oy &* stepY
        let dst = out + oy &* size
        for ox in 0..<size {
            dst[ox] = Float(base[src])
            dst[plane &+ ox] = Float(base[src &+ 1])
            dst[2 &* plane &+ ox] = Float(base[src &+ 2])
            src = src &+ stepX
        }
    }
    img.release(rows: y..<(y + size))
}
