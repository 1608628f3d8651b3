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
/// The layers run as one `NetworkPath`, the same code MDSR runs per scale.
public final class EDSR {
    public let config: EDSRConfig
    public let layout: ParameterLayout
    public let params: Arena
    public let grads: Arena
    /// The settings and scratch its kernels run with.
    public let kernels: KernelContext

    let path: NetworkPath
    private let cache: ActivationCache

    /// Builds the network with PyTorch-default initial weights drawn from `seed`, to run
    /// its kernels with `kernels` (the default: one thread, Winograd, F(6×6)).
    public init(_ config: EDSRConfig, seed: UInt64, kernels: KernelContext = KernelContext()) {
        precondition([2, 3, 4].contains(config.scale), "EDSR: scale must be 2, 3 or 4")
        (self.config, self.kernels) = (config, kernels)
        let f = config.features
        var l = ParameterLayout()
        let head = ConvParameters(&l, "head.0", cin: 3, cout: f, k: 3)
        let blocks = (0..<config.blocks).map { ResBlock(&l, "body.\($0)", features: f, k: 3, scale: config.resScale) }
        let bodyConv = ConvParameters(&l, "body.\(config.blocks)", cin: f, cout: f, k: 3)
        let upsampler = Upsampler(&l, "tail.0", scale: config.scale, features: f)
        let tail = ConvParameters(&l, "tail.1", cin: f, cout: 3, k: 3)
        path = NetworkPath(head: head, blocks: blocks, skip: 0, bodyConv: bodyConv, upsampler: upsampler, tail: tail,
                           kernels: kernels)
        layout = l
        params = Arena(count: l.count)
        grads = Arena(count: l.count)
        cache = ActivationCache(features: f, blocks: blocks.count, skip: 0, upsamplers: [upsampler.stages.map(\.r)])
        initializeConvParameters(convLayers, into: params.base, seed: seed)
    }

    /// Every conv layer in forward order.
    public var convLayers: [ConvParameters] { path.convLayers }

    /// Super-resolves `input` `[n, 3, h, w]` (0…255) into `[n, 3, h·s, w·s]`; the
    /// returned buffer is the model's and is valid until the next `forward`.
    /// With `training` false, activations are not kept and buffers are recycled.
    public func forward(_ input: UnsafePointer<Float>, n: Int, h: Int, w: Int, training: Bool = true) -> UnsafeMutablePointer<Float> {
        path.forward(params, input: input, cache.activations(n: n, h: h, w: w, training: training))
    }

    /// Frees the last forward's activations; the next forward allocates its own.
    public func releaseActivations() { cache.release() }

    /// Backpropagates `dOutput` `[n, 3, h·s, w·s]` through the last training `forward`,
    /// adding every parameter's gradient into `grads`.
    ///
    /// - Parameter ready: called after each layer with an arena offset `o`: every
    ///   gradient at `o..<layout.count` is final (backward visits tensors in reverse
    ///   layout order), so a bucketed allreduce can start on it while backward goes on.
    public func backward(_ dOutput: UnsafePointer<Float>, ready: (Int) -> Void = { _ in }) {
        guard let a = cache.current, a.training else { preconditionFailure("EDSR.backward needs a training forward first") }
        path.backward(params, grads, dOutput: dOutput, a, ready: ready)
    }
}
