/// Pixel shuffle (sub-pixel convolution's rearrangement), as torch.nn.PixelShuffle:
/// input `[n, c·r², h, w]` → output `[n, c, h·r, w·r]` with
/// `out[b, ch, y·r + i, x·r + j] = in[b, ch·r² + i·r + j, y, x]`.
public func pixelShuffleForward(output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                                n: Int, c: Int, h: Int, w: Int, r: Int, threads: Int) {
    shuffle(n: n, c: c, h: h, w: w, r: r, threads: threads) { o, i in output[o] = input[i] }
}

/// Pixel shuffle backward: the inverse permutation, `dInput` `[n, c·r², h, w]` from
/// `dOutput` `[n, c, h·r, w·r]` (overwritten).
public func pixelShuffleBackward(dInput: UnsafeMutablePointer<Float>, dOutput: UnsafePointer<Float>,
                                 n: Int, c: Int, h: Int, w: Int, r: Int, threads: Int) {
    shuffle(n: n, c: c, h: h, w: w, r: r, threads: threads) { o, i in dInput[i] = dOutput[o] }
}

/// Visits every (output index, input index) pair of the shuffle, parallel over planes,
/// in output order: each output row once, from its r input rows (a pass per input
/// plane would write every output line r times, each time in part).
@inline(__always)
private func shuffle(n: Int, c: Int, h: Int, w: Int, r: Int, threads: Int, _ move: (Int, Int) -> Void) {
    let ow = w &* r, plane = h &* w
    parallelChunks(n &* c, threads: threads) { _, planes in
        for p in planes {
            let inBase = p &* r &* r &* plane, outBase = p &* plane &* r &* r
            for y in 0..<h {
                for i in 0..<r {
                    let dst = outBase &+ (y &* r &+ i) &* ow, src = inBase &+ i &* r &* plane &+ y &* w
                    for x in 0..<w {
                        for j in 0..<r { move(dst &+ x &* r &+ j, src &+ j &* plane &+ x) }
                    }
                }
            }
        }
    }
}
