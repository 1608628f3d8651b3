import Kernels

/// The pieces EDSR and MDSR are built from, as forward/backward pairs over arenas.
/// Parameter gradients accumulate (`+=`); activation gradients are overwritten unless
/// a comment says otherwise.

/// EDSR's residual block (paper Fig. 2c): `y = x + scale · conv2(relu(conv1(x)))`.
/// PyTorch names: `<prefix>.body.0` and `<prefix>.body.2`.
public struct ResBlock: Sendable {
    public let conv1, conv2: ConvParameters
    public let scale: Float

    init(_ layout: inout ParameterLayout, _ prefix: String, features f: Int, k: Int, scale: Float) {
        conv1 = ConvParameters(&layout, "\(prefix).body.0", cin: f, cout: f, k: k)
        conv2 = ConvParameters(&layout, "\(prefix).body.2", cin: f, cout: f, k: k)
        self.scale = scale
    }

    /// `y = x + s·conv2(t)`, `t = relu(conv1(x))`; `t` is kept for backward. The ReLU and
    /// the scale-add run in the convolutions' output passes.
    func forward(_ p: Arena, y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, t: UnsafeMutablePointer<Float>,
                 n: Int, h: Int, w: Int, kernels: KernelContext) {
        conv1.forward(p, out: t, in: x, n: n, h: h, w: w, kernels: kernels, epilogue: .relu)
        conv2.forward(p, out: y, in: t, n: n, h: h, w: w, kernels: kernels, epilogue: .residual(skip: x, scale: scale))
    }

    /// In place: `dx` holds ∂L/∂y on entry and ∂L/∂x on return
    /// (∂x = ∂y + conv1ᵀ(relu′ · conv2ᵀ(s·∂y))).
    func backward(_ p: Arena, _ g: Arena, dx: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, t: UnsafePointer<Float>,
                  tmp1: UnsafeMutablePointer<Float>, tmp2: UnsafeMutablePointer<Float>, n: Int, h: Int, w: Int,
                  kernels: KernelContext) {
        let count = n * conv1.cout * h * w
        // With scale 1 (EDSR-baseline, MDSR) the branch's gradient is ∂y itself: no copy.
        var dBranch = UnsafePointer(dx)
        if scale != 1 {
            residualBackward(dResidual: tmp1, dOutput: dx, scale: scale, count: count, threads: kernels.threads)
            dBranch = UnsafePointer(tmp1)
        }
        conv2.backward(p, g, dIn: tmp2, dOut: dBranch, in: t, n: n, h: h, w: w, kernels: kernels, dInEpilogue: .reluGate(output: t))
        conv1.backward(p, g, dIn: dx, dOut: tmp2, in: x, n: n, h: h, w: w, kernels: kernels, dInEpilogue: .accumulate)
    }
}

/// EDSR-PyTorch's `Upsampler`: for ×2 and ×4, log₂(scale) × (conv F→4F, shuffle 2);
/// for ×3, conv F→9F, shuffle 3. Convs are at `<prefix>.0`, `<prefix>.2`.
public struct Upsampler: Sendable {
    public let stages: [(conv: ConvParameters, r: Int)]

    init(_ layout: inout ParameterLayout, _ prefix: String, scale: Int, features f: Int) {
        let factors: [Int]
        switch scale {
        case 2: factors = [2]
        case 3: factors = [3]
        case 4: factors = [2, 2]
        default: preconditionFailure("Upsampler: scale \(scale) is not 2, 3 or 4")
        }
        stages = factors.enumerated().map { i, r in
            (ConvParameters(&layout, "\(prefix).\(2 * i)", cin: f, cout: r * r * f, k: 3), r)
        }
    }

    /// Input `[n, F, h, w]` → output `[n, F, h·s, w·s]`. `saved[j]` receives stage j's
    /// shuffled output (kept for the next conv's backward); `tmp` holds the pre-shuffle
    /// conv output. Returns the last saved buffer.
    func forward(_ p: Arena, x: UnsafePointer<Float>, saved: [UnsafeMutablePointer<Float>], tmp: UnsafeMutablePointer<Float>,
                 n: Int, h: Int, w: Int, kernels: KernelContext) -> UnsafeMutablePointer<Float> {
        var (src, hh, ww) = (x, h, w)
        for (j, stage) in stages.enumerated() {
            stage.conv.forward(p, out: tmp, in: src, n: n, h: hh, w: ww, kernels: kernels)
            pixelShuffleForward(output: saved[j], input: tmp, n: n, c: stage.conv.cin, h: hh, w: ww, r: stage.r,
                                threads: kernels.threads)
            (src, hh, ww) = (UnsafePointer(saved[j]), hh * stage.r, ww * stage.r)
        }
        return saved[stages.count - 1]
    }

    /// How many slices of its F output channels inference runs the last stage and the
    /// tail in: the fewest (a power of two dividing F) whose conv output, s²·F/slices
    /// channels at the last stage's input size, holds at most 2 LR tensors — 2 at ×2, 8
    /// at ×3 and ×4. One for a batch (a slice of a batch is not contiguous).
    static func inferenceSlices(scale: Int, features f: Int, n: Int) -> Int {
        guard n == 1 else { return 1 }
        var slices = 1
        while scale * scale > 2 * slices && f % (2 * slices) == 0 { slices *= 2 }
        return slices
    }

    /// `dy` (∂L/∂output, clobbered) → `dx` (∂L/∂input, overwritten); `tmp` as large as `dy`.
    /// `finished` is told each stage's conv once its gradients are final.
    func backward(_ p: Arena, _ g: Arena, dx: UnsafeMutablePointer<Float>, dy: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>,
                  saved: [UnsafeMutablePointer<Float>], tmp: UnsafeMutablePointer<Float>, n: Int, h: Int, w: Int,
                  kernels: KernelContext, finished: (ConvParameters) -> Void) {
        var sizes: [(Int, Int)] = [(h, w)]
        for s in stages.dropLast() { sizes.append((sizes.last!.0 * s.r, sizes.last!.1 * s.r)) }
        var dOut = dy
        for j in stages.indices.reversed() {
            let (hh, ww) = sizes[j], stage = stages[j]
            pixelShuffleBackward(dInput: tmp, dOutput: dOut, n: n, c: stage.conv.cin, h: hh, w: ww, r: stage.r,
                                 threads: kernels.threads)
            let input = j == 0 ? x : UnsafePointer(saved[j - 1])
            let dIn = j == 0 ? dx : dOut
            stage.conv.backward(p, g, dIn: dIn, dOut: tmp, in: input, n: n, h: hh, w: ww, kernels: kernels)
            finished(stage.conv)
            dOut = dIn
        }
    }
}
