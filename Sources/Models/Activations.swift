/// Activation and gradient storage of one batch shape for a `NetworkPath`. In training
/// every block's output and hidden ReLU output are kept; in inference the stream is
/// recycled through three buffers and one hidden buffer, and the upsampler shuffles in
/// place (`NetworkPath.inferUpsamplerAndTail`). The high-resolution
/// buffers are sized for the largest upsampler, so MDSR's scales share one set.
final class Activations {
    let n, h, w: Int
    let training: Bool
    private var owned: [Arena] = []

    var x: UnsafeMutablePointer<Float>!          // [n,3,h,w] mean-shifted input
    var stream: [UnsafeMutablePointer<Float>] = []  // stream[0] = head output, stream[i+1] = block i output
    var hidden: [UnsafeMutablePointer<Float>] = []  // relu(conv1) of each block
    var body: UnsafeMutablePointer<Float>!       // body conv + skip: the upsampler's input
    var upsampled: [UnsafeMutablePointer<Float>] = []  // each upsampler stage's shuffled output
    var big: UnsafeMutablePointer<Float>!        // pre-shuffle conv output
    var pool: UnsafeMutablePointer<Float>!       // inference: the LR tensors, one allocation
    var output: UnsafeMutablePointer<Float>!
    var tmp1: UnsafeMutablePointer<Float>!, tmp2: UnsafeMutablePointer<Float>!
    var dStream: UnsafeMutablePointer<Float>!, dSkip: UnsafeMutablePointer<Float>!
    var dBig1: UnsafeMutablePointer<Float>!, dBig2: UnsafeMutablePointer<Float>!

    /// - Parameters:
    ///   - blocks: residual blocks in the chain (MDSR: pre-processing + body).
    ///   - skip: index of the stream buffer the long skip reads; inference keeps it alive.
    ///   - upsamplers: each upsampler's shuffle factors (`[2, 2]` for ×4).
    init(n: Int, h: Int, w: Int, features f: Int, blocks: Int, skip: Int, upsamplers: [[Int]], training: Bool) {
        (self.n, self.h, self.w, self.training) = (n, h, w, training)
        let lr = n * f * h * w
        let maxScale = upsamplers.map { $0.reduce(1, *) }.max()!
        let hr = lr * maxScale * maxScale
        func alloc(_ count: Int) -> UnsafeMutablePointer<Float> {
            let a = Arena(count: count)
            owned.append(a)
            return a.base
        }
        x = alloc(n * 3 * h * w)
        guard training else {
            // One pool of five LR tensors: three stream buffers, the hidden one, the body.
            // The skip source has its own stream buffer and the others alternate; in a
            // chain consecutive indices have opposite parity, so a block never overwrites
            // its own input. Once the body exists the first four are dead, and an
            // upsampler stage before the last (×4's first, 4 LR tensors) writes there.
            pool = alloc(5 * lr)
            stream = (0...blocks).map { i in pool + (i == skip ? 0 : 1 + i % 2) * lr }
            hidden = Array(repeating: pool + 3 * lr, count: blocks)
            body = pool + 4 * lr
            precondition(upsamplers.allSatisfy { $0.dropLast().reduce(1, *) <= 2 }, "an early upsampler stage outgrows the pool")
            // A slice of the last stage's conv output (`NetworkPath.inferUpsamplerAndTail`).
            big = alloc(upsamplers.map { factors -> Int in
                let s = factors.reduce(1, *)
                return lr * s * s / Upsampler.inferenceSlices(scale: s, features: f, n: n)
            }.max()!)
            output = alloc(n * 3 * h * w * maxScale * maxScale)
            return
        }
        stream = (0...blocks).map { _ in alloc(lr) }
        hidden = (0..<blocks).map { _ in alloc(lr) }
        body = alloc(lr)
        let stages = upsamplers.map(\.count).max()!
        upsampled = (0..<stages).map { j in
            let side = upsamplers.filter { $0.count > j }.map { $0[...j].reduce(1, *) }.max()!
            return alloc(lr * side * side)
        }
        big = alloc(hr)
        output = alloc(n * 3 * h * w * maxScale * maxScale)
        tmp1 = alloc(lr)
        tmp2 = alloc(lr)
        dStream = alloc(lr)
        dSkip = alloc(lr)
        dBig1 = alloc(hr)
        dBig2 = alloc(hr)
    }
}

/// Keeps the `Activations` of the last batch shape, reallocating only when the shape
/// or mode changes (the old set is freed first, so peak memory holds one set).
final class ActivationCache {
    let features, blocks, skip: Int
    let upsamplers: [[Int]]
    private(set) var current: Activations?

    init(features: Int, blocks: Int, skip: Int, upsamplers: [[Int]]) {
        (self.features, self.blocks, self.skip, self.upsamplers) = (features, blocks, skip, upsamplers)
    }

    func release() { current = nil }

    func activations(n: Int, h: Int, w: Int, training: Bool) -> Activations {
        if let a = current, a.n == n, a.h == h, a.w == w, a.training == training { return a }
        current = nil
        let a = Activations(n: n, h: h, w: w, features: features, blocks: blocks, skip: skip, upsamplers: upsamplers,
                            training: training)
        current = a
        return a
    }
}
