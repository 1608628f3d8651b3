import Kernels

/// Hyper-parameters of an EDSR network.
public struct EDSRConfig: Equatable, Sendable, Codable {
    /// Upscaling factor: 2, 3 or 4.
    public var scale: Int
    /// Number of residual blocks B (baseline 16, paper's EDSR 32).
    public var blocks: Int
    /// Feature channels F (baseline 64, paper's EDSR 256).
    public var features: Int
    /// Residual scaling inside each block (paper's EDSR 0.1, baseline 1).
    public var resScale: Float

    public init(scale: Int, blocks: Int, features: Int, resScale: Float) {
        (self.scale, self.blocks, self.features, self.resScale) = (scale, blocks, features, resScale)
    }
}

/// EDSR (paper §3.2, EDSR-PyTorch `model/edsr.py`):
///
///     x  = sub_mean(lr)
///     h  = head(x)                          head.0
///     a  = body(h) + h                      body.0 … body.{B-1} (ResBlocks), body.{B} (conv)
///     y  = add_mean(tail(a))                tail.0 (Upsampler), tail.1 (conv F→3)
///
/// Parameters and gradients live in two arenas with one layout. `forward` keeps the
/// activations backward needs (when `training`), `backward` accumulates gradients.
public final class EDSR {
    public let config: EDSRConfig
    public let layout: ParameterLayout
    public let params: Arena
    public let grads: Arena

    let head: ConvParameters
    let blocks: [ResBlock]
    let bodyConv: ConvParameters
    public let upsampler: Upsampler
    public let tail: ConvParameters

    private var acts: Activations?

    /// Builds the network with PyTorch-default initial weights drawn from `seed`.
    public init(_ config: EDSRConfig, seed: UInt64) {
        precondition([2, 3, 4].contains(config.scale), "EDSR: scale must be 2, 3 or 4")
        self.config = config
        let f = config.features
        var l = ParameterLayout()
        head = ConvParameters(&l, "head.0", cin: 3, cout: f, k: 3)
        blocks = (0..<config.blocks).map { ResBlock(&l, "body.\($0)", features: f, k: 3, scale: config.resScale) }
        bodyConv = ConvParameters(&l, "body.\(config.blocks)", cin: f, cout: f, k: 3)
        upsampler = Upsampler(&l, "tail.0", scale: config.scale, features: f)
        tail = ConvParameters(&l, "tail.1", cin: f, cout: 3, k: 3)
        layout = l
        params = Arena(count: l.count)
        grads = Arena(count: l.count)
        initializeConvParameters(convLayers, into: params.base, seed: seed)
    }

    /// Every conv layer in forward order.
    public var convLayers: [ConvParameters] {
        [head] + blocks.flatMap { [$0.conv1, $0.conv2] } + [bodyConv] + upsampler.stages.map(\.conv) + [tail]
    }

    /// Super-resolves `input` `[n, 3, h, w]` (0…255) into `[n, 3, h·s, w·s]`; the
    /// returned buffer is the model's and is valid until the next `forward`.
    /// With `training` false, activations are not kept and buffers are recycled.
    public func forward(_ input: UnsafePointer<Float>, n: Int, h: Int, w: Int, training: Bool = true) -> UnsafeMutablePointer<Float> {
        let a = activations(n: n, h: h, w: w, training: training)
        meanShiftForward(output: a.x, input: input, n: n, h: h, w: w, sign: -1)
        Models.forward(head, params, out: a.stream[0], in: a.x, n: n, h: h, w: w)
        for (i, block) in blocks.enumerated() {
            block.forward(params, y: a.stream[i + 1], x: a.stream[i], t: a.hidden[i], tmp: a.tmp1, n: n, h: h, w: w)
        }
        Models.forward(bodyConv, params, out: a.body, in: a.stream[blocks.count], n: n, h: h, w: w)
        add(a.body, a.stream[0], n * config.features * h * w)
        let up = upsampler.forward(params, x: a.body, saved: a.upsampled, tmp: a.big, n: n, h: h, w: w)
        let (oh, ow) = (h * config.scale, w * config.scale)
        Models.forward(tail, params, out: a.output, in: up, n: n, h: oh, w: ow)
        meanShiftForward(output: a.output, input: a.output, n: n, h: oh, w: ow, sign: 1)
        return a.output
    }

    /// Backpropagates `dOutput` `[n, 3, h·s, w·s]` through the last training `forward`,
    /// adding every parameter's gradient into `grads`. `add_mean` and `sub_mean` have
    /// identity Jacobians, so the gradient passes them unchanged.
    ///
    /// - Parameter ready: called after each layer with an arena offset `o`: every
    ///   gradient at `o..<layout.count` is final (backward visits tensors in reverse
    ///   layout order), so a bucketed allreduce can start on it while backward goes on.
    public func backward(_ dOutput: UnsafePointer<Float>, ready: (Int) -> Void = { _ in }) {
        guard let a = acts, a.training else { preconditionFailure("EDSR.backward needs a training forward first") }
        let (n, h, w) = (a.n, a.h, a.w)
        let (oh, ow) = (h * config.scale, w * config.scale)
        let up = upsampler.stages.count - 1
        Models.backward(tail, params, grads, dIn: a.dBig1, dOut: dOutput, in: a.upsampled[up], n: n, h: oh, w: ow)
        ready(tail.weight.offset)
        upsampler.backward(params, grads, dx: a.dSkip, dy: a.dBig1, x: a.body, saved: a.upsampled, tmp: a.dBig2, n: n, h: h, w: w,
                           ready: ready)
        // a = body(h) + h: the skip's gradient (dSkip) joins the body's at h.
        Models.backward(bodyConv, params, grads, dIn: a.dStream, dOut: a.dSkip, in: a.stream[blocks.count], n: n, h: h, w: w)
        ready(bodyConv.weight.offset)
        for (i, block) in blocks.enumerated().reversed() {
            block.backward(params, grads, dx: a.dStream, x: a.stream[i], t: a.hidden[i], tmp1: a.tmp1, tmp2: a.tmp2, n: n, h: h, w: w)
            ready(block.conv1.weight.offset)
        }
        add(a.dStream, a.dSkip, n * config.features * h * w)
        Models.backward(head, params, grads, dIn: nil, dOut: a.dStream, in: a.x, n: n, h: h, w: w)
        ready(head.weight.offset)
    }

    private func activations(n: Int, h: Int, w: Int, training: Bool) -> Activations {
        if let a = acts, a.n == n, a.h == h, a.w == w, a.training == training { return a }
        acts = nil  // free the old set before allocating the new one
        let a = Activations(n: n, h: h, w: w, features: config.features, blocks: blocks.count,
                            factors: upsampler.stages.map(\.r), training: training)
        acts = a
        return a
    }
}

/// Activation and gradient storage of one batch shape. In training every block's
/// output and hidden ReLU output are kept; in inference two stream buffers and one
/// hidden buffer are recycled.
final class Activations {
    let n, h, w: Int
    let training: Bool
    private var owned: [Arena] = []

    var x: UnsafeMutablePointer<Float>!          // [n,3,h,w] mean-shifted input
    var stream: [UnsafeMutablePointer<Float>] = []  // stream[0] = head output, stream[i+1] = block i output
    var hidden: [UnsafeMutablePointer<Float>] = []  // relu(conv1) of each block
    var body: UnsafeMutablePointer<Float>!       // body conv + skip: the upsampler's input
    var upsampled: [UnsafeMutablePointer<Float>] = []
    var big: UnsafeMutablePointer<Float>!        // pre-shuffle conv output
    var output: UnsafeMutablePointer<Float>!
    var tmp1: UnsafeMutablePointer<Float>!, tmp2: UnsafeMutablePointer<Float>!
    var dStream: UnsafeMutablePointer<Float>!, dSkip: UnsafeMutablePointer<Float>!
    var dBig1: UnsafeMutablePointer<Float>!, dBig2: UnsafeMutablePointer<Float>!

    init(n: Int, h: Int, w: Int, features f: Int, blocks: Int, factors: [Int], training: Bool) {
        (self.n, self.h, self.w, self.training) = (n, h, w, training)
        let lr = n * f * h * w
        let scale = factors.reduce(1, *)
        let hr = lr * scale * scale
        func alloc(_ count: Int) -> UnsafeMutablePointer<Float> {
            let a = Arena(count: count)
            owned.append(a)
            return a.base
        }
        x = alloc(n * 3 * h * w)
        // Inference keeps the head output (needed by the long skip) and alternates two
        // buffers for the blocks' outputs.
        let streamBuffers = (0..<(training ? blocks + 1 : 3)).map { _ in alloc(lr) }
        stream = (0...blocks).map { (i: Int) -> UnsafeMutablePointer<Float> in
            training || i == 0 ? streamBuffers[i] : streamBuffers[1 + (i - 1) % 2]
        }
        let hiddenBuffers = (0..<(training ? max(blocks, 1) : 1)).map { _ in alloc(lr) }
        hidden = (0..<blocks).map { hiddenBuffers[$0 % hiddenBuffers.count] }
        body = alloc(lr)
        var side = 1
        upsampled = factors.map { r in side *= r; return alloc(lr * side * side) }
        big = alloc(hr)
        output = alloc(n * 3 * h * w * scale * scale)
        tmp1 = alloc(lr)
        tmp2 = alloc(lr)
        if training {
            dStream = alloc(lr)
            dSkip = alloc(lr)
            dBig1 = alloc(hr)
            dBig2 = alloc(hr)
        }
    }
}
