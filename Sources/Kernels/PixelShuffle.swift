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

/// Visits every (output index, input index) pair of the shuffle, parallel over planes.
@inline(__always)
private func shuffle(n: Int, c: Int, h: Int, w: Int, r: Int, threads: Int, _ move: (Int, Int) -> Void) {
    parallelChunks(n &* c, threads: threads) { _, planes in
        for p in planes { shufflePlane(p, h: h, w: w, r: r, move) }
    }
}

/// The pairs of output plane `p`, in output order: each output row once, from its r
/// input rows (a pass per input plane would write every output line r times, each time
/// in part).
@inline(__always)
private func shufflePlane(_ p: Int, h: Int, w: Int, r: Int, _ move: (Int, Int) -> Void) {
    let ow = w &* r, plane = h &* w
    let base = p &* r &* r &* plane  // the same offset in input and output
    for y in 0..<h {
        for i in 0..<r {
            let dst = base &+ (y &* r &+ i) &* ow, src = base &+ i &* r &* plane &+ y &* w
            for x in 0..<w {
                for j in 0..<r { move(dst &+ x &* r &+ j, src &+ j &* plane &+ x) }
            }
        }
    }
}

/// Pixel shuffle in place: `data` holds `[n, c·r², h, w]` on entry and `[n, c, h·r, w·r]`
/// on return. Output plane p occupies exactly the floats of input planes p·r²…p·r²+r²−1,
/// so each is copied to a worker's scratch and shuffled back: inference keeps one buffer
/// per upsampler stage instead of two (at ×4 the last stage's are 16 LR tensors each).
public func pixelShuffleInPlace(_ data: UnsafeMutablePointer<Float>, n: Int, c: Int, h: Int, w: Int, r: Int,
                                kernels: KernelContext) {
    let group = r &* r &* h &* w
    let scratch = kernels.perWorker(.pixelShuffle, items: n &* c, count: group)
    parallelChunks(n &* c, threads: kernels.threads) { worker, planes in
        let copy = scratch[worker]
        for p in planes {
            // The copy holds plane p's group at offset 0; the output goes back at p's.
            copy.update(from: data + p &* group, count: group)
            let shift = p &* group
            shufflePlane(p, h: h, w: w, r: r) { o, i in data[o] = copy[i &- shift] }
        }
    }
}
