import Convolution
import Kernels

/// The layers one forward pass runs through, shared by EDSR (one path) and MDSR (one
/// path per scale, all with the same head, body and tail):
///
///     x  = sub_mean(lr);  s₀ = head(x)
///     sᵢ₊₁ = blocks[i](sᵢ)                  MDSR's pre-processing blocks, then the body's
///     a  = bodyConv(s_last) + s_skip         long skip from the stream after `skip` blocks
///     y  = add_mean(tail(upsampler(a)))
///
/// EDSR has `skip` 0 (the head output); MDSR has 2 (after pre-processing). Public
/// read-only so an exporter (ONNX) can write the same layers as a graph.
public struct NetworkPath {
    public let head: ConvParameters
    public let blocks: [ResBlock]
    public let skip: Int
    public let bodyConv: ConvParameters
    public let upsampler: Upsampler
    public let tail: ConvParameters
    /// The network's kernel settings and scratch.
    let kernels: KernelContext

    public var scale: Int { upsampler.stages.reduce(1) { $0 * $1.r } }

    /// Every conv layer in forward order.
    public var convLayers: [ConvParameters] {
        [head] + blocks.flatMap { [$0.conv1, $0.conv2] } + [bodyConv] + upsampler.stages.map(\.conv) + [tail]
    }

    /// How far, in LR pixels, an output pixel's value reaches into the input: each k×k
    /// conv adds k/2 pixels at the resolution it runs at (an upsampler stage's conv and
    /// the tail count in LR pixels divided by the factor above LR). A tile with this much
    /// context on every side computes its core exactly as the whole image would.
    public var receptiveRadius: Int {
        let lrConvs: [ConvParameters] = [head] + blocks.flatMap { [$0.conv1, $0.conv2] } + [bodyConv]
        var radius = Double(lrConvs.map { $0.k / 2 }.reduce(0, +))
        var factor = 1
        for stage in upsampler.stages {
            radius += Double(stage.conv.k / 2) / Double(factor)
            factor *= stage.r
        }
        radius += Double(tail.k / 2) / Double(factor)
        return Int(radius.rounded(.up))
    }

    /// Each conv's geometry at the resolution it runs at (upsampler stages and the tail
    /// run above the LR size): the FLOP count of a pass.
    func convShapes(n: Int, h: Int, w: Int) -> [Conv2dShape] {
        var shapes = ([head] + blocks.flatMap { [$0.conv1, $0.conv2] } + [bodyConv]).map { $0.shape(n: n, h: h, w: w) }
        var factor = 1
        for stage in upsampler.stages {
            shapes.append(stage.conv.shape(n: n, h: h * factor, w: w * factor))
            factor *= stage.r
        }
        return shapes + [tail.shape(n: n, h: h * factor, w: w * factor)]
    }

    /// `input` `[n, 3, h, w]` → `a.output` `[n, 3, h·s, w·s]`, keeping in `a` what
    /// backward needs when `a.training`.
    func forward(_ p: Arena, input: UnsafePointer<Float>, _ a: Activations) -> UnsafeMutablePointer<Float> {
        let (n, h, w) = (a.n, a.h, a.w)
        meanShiftForward(output: a.x, input: input, n: n, h: h, w: w, sign: -1)
        head.forward(p, out: a.stream[0], in: a.x, n: n, h: h, w: w, kernels: kernels)
        for (i, block) in blocks.enumerated() {
            block.forward(p, y: a.stream[i + 1], x: a.stream[i], t: a.hidden[i], n: n, h: h, w: w, kernels: kernels)
        }
        bodyConv.forward(p, out: a.body, in: a.stream[blocks.count], n: n, h: h, w: w, kernels: kernels,
                         epilogue: .residual(skip: a.stream[skip], scale: 1))
        let (oh, ow) = (h * scale, w * scale)
        if a.training {
            let up = upsampler.forward(p, x: a.body, saved: a.upsampled, tmp: a.big, n: n, h: h, w: w, kernels: kernels)
            tail.forward(p, out: a.output, in: up, n: n, h: oh, w: ow, kernels: kernels)
        } else {
            inferUpsamplerAndTail(p, a)
        }
        meanShiftForward(output: a.output, input: a.output, n: n, h: oh, w: ow, sign: 1)
        return a.output
    }

    /// Inference's upsampler and tail, `a.body` → `a.output` (before `add_mean`), in a
    /// fraction of training's memory: stages before the last run whole and shuffle in
    /// place over the pool; the last stage and the tail run over `Upsampler.inferenceSlices`
    /// slices of the F channels the last shuffle yields — the slice's r²·g conv outputs,
    /// shuffled in place in `a.big`, then the tail's sum over those g channels added into
    /// the output. At ×4 the last stage's whole output would be 16 LR tensors. The tail's
    /// sum runs in another order than training's: the same up to float rounding.
    private func inferUpsamplerAndTail(_ p: Arena, _ a: Activations) {
        let (n, k2) = (a.n, tail.k * tail.k)
        var (src, h, w) = (UnsafePointer(a.body!), a.h, a.w)
        for stage in upsampler.stages.dropLast() {
            stage.conv.forward(p, out: a.pool, in: src, n: n, h: h, w: w, kernels: kernels)
            pixelShuffleInPlace(a.pool, n: n, c: stage.conv.cin, h: h, w: w, r: stage.r, kernels: kernels)
            (src, h, w) = (UnsafePointer(a.pool!), h * stage.r, w * stage.r)
        }
        let (last, r) = upsampler.stages.last!
        let (f, kk) = (last.cin, last.k * last.k)
        let slices = Upsampler.inferenceSlices(scale: scale, features: f, n: n), g = f / slices
        for j in 0..<slices {
            // Shuffled channels j·g..<(j+1)·g come from conv outputs j·r²g..<(j+1)·r²g.
            let rows = r * r * g
            conv2dForward(output: a.big, input: src, weight: p[last.weight] + j * rows * f * kk, bias: p[last.bias] + j * rows,
                          shape: Conv2dShape(n: n, cin: f, cout: rows, h: h, w: w, k: last.k), context: kernels)
            pixelShuffleInPlace(a.big, n: n, c: g, h: h, w: w, r: r, kernels: kernels)
            let weight = (0..<tail.cout).flatMap { o in UnsafeBufferPointer(start: p[tail.weight] + (o * f + j * g) * k2, count: g * k2) }
            conv2dForward(output: a.output, input: a.big, weight: weight, bias: j == 0 ? UnsafePointer(p[tail.bias]) : nil,
                          shape: Conv2dShape(n: n, cin: g, cout: tail.cout, h: h * r, w: w * r, k: tail.k), context: kernels,
                          epilogue: j == 0 ? .none : .accumulate)
        }
    }

    /// Backpropagates `dOutput` `[n, 3, h·s, w·s]` through the forward that filled `a`,
    /// adding this path's parameter gradients into `g`; tensors of other paths are not
    /// touched. `add_mean` and `sub_mean` have identity Jacobians, so the gradient
    /// passes them unchanged.
    ///
    /// - Parameter ready: called with an offset `o` whenever every gradient at
    ///   `o..<layout.count` has become final (see `GradientFrontier`).
    func backward(_ p: Arena, _ g: Arena, dOutput: UnsafePointer<Float>, _ a: Activations, ready: (Int) -> Void) {
        let (n, h, w) = (a.n, a.h, a.w)
        var frontier = GradientFrontier(convLayers)
        func finished(_ convs: ConvParameters...) {
            if let o = frontier.finish(convs) { ready(o) }
        }
        tail.backward(p, g, dIn: a.dBig1, dOut: dOutput, in: a.upsampled[upsampler.stages.count - 1],
                      n: n, h: h * scale, w: w * scale, kernels: kernels)
        finished(tail)
        upsampler.backward(p, g, dx: a.dSkip, dy: a.dBig1, x: a.body, saved: a.upsampled, tmp: a.dBig2, n: n, h: h, w: w,
                           kernels: kernels, finished: { finished($0) })
        bodyConv.backward(p, g, dIn: a.dStream, dOut: a.dSkip, in: a.stream[blocks.count], n: n, h: h, w: w, kernels: kernels)
        finished(bodyConv)
        func blocksBackward(_ range: Range<Int>) {
            for i in range.reversed() {
                blocks[i].backward(p, g, dx: a.dStream, x: a.stream[i], t: a.hidden[i], tmp1: a.tmp1, tmp2: a.tmp2,
                                   n: n, h: h, w: w, kernels: kernels)
                finished(blocks[i].conv2, blocks[i].conv1)
            }
        }
        blocksBackward(skip..<blocks.count)
        // a = body(s_skip) + s_skip: the skip's gradient (dSkip) joins the body's here.
        residualAdd(a.dStream, a.dSkip, count: n * head.cout * h * w, threads: kernels.threads)
        blocksBackward(0..<skip)
        head.backward(p, g, dIn: nil, dOut: a.dStream, in: a.x, n: n, h: h, w: w, kernels: kernels)
        finished(head)
    }
}

/// Which gradients a backward pass has finished, as the one number a bucketed
/// allreduce needs: the lowest offset `o` such that every gradient in
/// `o..<layout.count` is final. Tensors outside the path are final from the start
/// (backward never touches them), so with MDSR's registration-order layout
/// (pre_process, upsample, head, body, tail) the frontier stops at the end of `head`
/// until `head`, the last layer backward visits, is done.
struct GradientFrontier {
    /// Arena ranges of the path's convs whose gradients are not final yet.
    private var pending: [Range<Int>]
    private var reported: Int

    init(_ convs: [ConvParameters]) {
        pending = convs.map(\.range)
        reported = pending.map(\.upperBound).max() ?? 0
    }

    /// Marks `convs` final; returns the new frontier when it moved down.
    mutating func finish(_ convs: [ConvParameters]) -> Int? {
        let done = Set(convs.map(\.weight.offset))
        pending.removeAll { done.contains($0.lowerBound) }
        let o = pending.map(\.upperBound).max() ?? 0
        guard o < reported else { return nil }
        reported = o
        return o
    }
}
