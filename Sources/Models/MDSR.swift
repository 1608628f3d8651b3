import Kernels

/// Hyper-parameters of a multi-scale MDSR network.
public struct MDSRConfig: Equatable, Sendable, Codable {
    /// The scales it serves, each 2, 3 or 4, distinct; branch i serves `scales[i]`.
    public var scales: [Int]
    /// Residual blocks B of the shared body (MDSR-baseline 16, the paper's MDSR 80).
    public var blocks: Int
    /// Feature channels F (64 in the paper).
    public var features: Int
    /// Residual scaling of the body's blocks; EDSR-PyTorch's MDSR uses 1. The
    /// pre-processing blocks always use 1, as in `mdsr.py`.
    public var resScale: Float

    public init(scales: [Int], blocks: Int, features: Int, resScale: Float = 1) {
        (self.scales, self.blocks, self.features, self.resScale) = (scales, blocks, features, resScale)
    }
}

/// MDSR (paper §3.3, EDSR-PyTorch `model/mdsr.py`): one network for several scales.
///
///     x  = sub_mean(lr)
///     h  = head(x)                          head.0                              shared
///     p  = pre_process[i](h)                pre_process.i.{0,1} (ResBlocks 5×5)  scale i
///     a  = body(p) + p                      body.0 … body.{B-1}, body.{B} (conv) shared
///     y  = add_mean(tail(upsample[i](a)))   upsample.i (Upsampler), tail.0       scale i, shared
///
/// The arena follows EDSR-PyTorch's registration (state_dict) order: `pre_process.*`,
/// `upsample.*`, `head`, `body`, `tail`. So the shared modules are one contiguous range
/// at the end and each scale's branch is two ranges (its pre-processing blocks and its
/// upsampler). A forward at scale s runs, and its backward writes gradients of, only
/// the shared modules and branch s.
public final class MDSR {
    public let config: MDSRConfig
    public let layout: ParameterLayout
    public let params: Arena
    public let grads: Arena

    /// The settings and scratch its kernels run with.
    public let kernels: KernelContext
    /// One path per scale, in `config.scales` order.
    let paths: [NetworkPath]
    private let cache: ActivationCache
    /// Scale of the last training forward: the path backward walks.
    private var trainedScale: Int?

    /// Number of 5×5 residual blocks in each scale's pre-processing.
    public static let preProcessBlocks = 2

    /// Builds the network with PyTorch-default initial weights drawn from `seed`, to run
    /// its kernels with `kernels` (the default: one thread, Winograd, F(6×6)).
    public init(_ config: MDSRConfig, seed: UInt64, kernels: KernelContext = KernelContext()) {
        precondition(!config.scales.isEmpty && config.scales.allSatisfy([2, 3, 4].contains)
                     && Set(config.scales).count == config.scales.count, "MDSR: scales must be distinct values of 2, 3, 4")
        (self.config, self.kernels) = (config, kernels)
        let f = config.features
        var l = ParameterLayout()
        // mdsr.py assigns pre_process and upsample before head, body and tail.
        let pre = config.scales.indices.map { i in
            (0..<Self.preProcessBlocks).map { ResBlock(&l, "pre_process.\(i).\($0)", features: f, k: 5, scale: 1) }
        }
        let upsamplers = config.scales.enumerated().map { i, s in Upsampler(&l, "upsample.\(i)", scale: s, features: f) }
        let head = ConvParameters(&l, "head.0", cin: 3, cout: f, k: 3)
        let body = (0..<config.blocks).map { ResBlock(&l, "body.\($0)", features: f, k: 3, scale: config.resScale) }
        let bodyConv = ConvParameters(&l, "body.\(config.blocks)", cin: f, cout: f, k: 3)
        let tail = ConvParameters(&l, "tail.0", cin: f, cout: 3, k: 3)
        paths = config.scales.indices.map { i in
            NetworkPath(head: head, blocks: pre[i] + body, skip: Self.preProcessBlocks, bodyConv: bodyConv,
                        upsampler: upsamplers[i], tail: tail, kernels: kernels)
        }
        layout = l
        params = Arena(count: l.count)
        grads = Arena(count: l.count)
        cache = ActivationCache(features: f, blocks: Self.preProcessBlocks + config.blocks, skip: Self.preProcessBlocks,
                                upsamplers: upsamplers.map { $0.stages.map(\.r) })
        initializeConvParameters(convLayers, into: params.base, seed: seed)
    }

    /// Every conv layer of every scale, each once, in layout order.
    public var convLayers: [ConvParameters] {
        let shared = Set(sharedConvs.map(\.weight.offset))
        return (sharedConvs + paths.flatMap { $0.convLayers.filter { !shared.contains($0.weight.offset) } })
            .sorted { $0.weight.offset < $1.weight.offset }
    }

    /// The conv layers a forward at `scale` runs, in forward order.
    public func convLayers(scale: Int) -> [ConvParameters] { path(scale).convLayers }

    /// Arena ranges of the modules every scale uses (head, body, tail): one range.
    public var sharedRanges: [Range<Int>] { contiguousRanges(sharedConvs) }

    /// Arena ranges of `scale`'s own modules (its pre-processing blocks and upsampler),
    /// lowest first: two ranges, because the layout keeps all pre-processing blocks
    /// before all upsamplers.
    public func branchRanges(scale: Int) -> [Range<Int>] {
        let shared = Set(sharedConvs.map(\.weight.offset))
        return contiguousRanges(path(scale).convLayers.filter { !shared.contains($0.weight.offset) })
    }

    /// Name of `scale`'s branch, as Adam's step counters and checkpoints key it: "x2".
    public static func branchName(scale: Int) -> String { "x\(scale)" }

    /// Super-resolves `input` `[n, 3, h, w]` (0…255) by `scale` into `[n, 3, h·s, w·s]`;
    /// the returned buffer is the model's and is valid until the next `forward`.
    /// With `training` false, activations are not kept and buffers are recycled.
    public func forward(_ input: UnsafePointer<Float>, n: Int, h: Int, w: Int, scale: Int,
                        training: Bool = true) -> UnsafeMutablePointer<Float> {
        let selected = path(scale)
        trainedScale = training ? scale : nil
        return selected.forward(params, input: input, cache.activations(n: n, h: h, w: w, training: training))
    }

    /// Frees the last forward's activations; the next forward allocates its own.
    public func releaseActivations() { cache.release() }

    /// Backpropagates `dOutput` `[n, 3, h·s, w·s]` through the last training `forward`
    /// (at its scale), adding the gradients of the shared modules and that scale's
    /// branch into `grads`; the other branches' gradients are not touched.
    ///
    /// - Parameter ready: called with an arena offset `o` whenever every gradient at
    ///   `o..<layout.count` has become final. Tail and body become final in reverse
    ///   layout order as backward goes; the branch's and the head's tensors, which
    ///   precede the body in the layout, are reported together at the end (`o` = 0).
    public func backward(_ dOutput: UnsafePointer<Float>, ready: (Int) -> Void = { _ in }) {
        guard let scale = trainedScale, let a = cache.current, a.training else {
            preconditionFailure("MDSR.backward needs a training forward first")
        }
        path(scale).backward(params, grads, dOutput: dOutput, a, ready: ready)
    }

    private var sharedConvs: [ConvParameters] {
        let p = paths[0]
        return [p.head] + p.blocks.dropFirst(Self.preProcessBlocks).flatMap { [$0.conv1, $0.conv2] } + [p.bodyConv, p.tail]
    }

    func path(_ scale: Int) -> NetworkPath {
        guard let i = config.scales.firstIndex(of: scale) else {
            preconditionFailure("MDSR: scale \(scale) is not one of \(config.scales)")
        }
        return paths[i]
    }
}
