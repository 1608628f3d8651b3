import Kernels

/// What training, evaluation and checkpoints need of a super-resolution network: one
/// parameter layout over flat arenas, a forward and backward at a given scale, and
/// which arena ranges a step at that scale updates.
public protocol SuperResolutionNetwork: AnyObject {
    /// The architecture, as checkpoints record it.
    var arch: Arch { get }
    /// The upscaling factors the network serves.
    var scales: [Int] { get }
    var layout: ParameterLayout { get }
    var params: Arena { get }
    var grads: Arena { get }
    /// The settings and scratch its kernels run with.
    var kernels: KernelContext { get }

    /// `input` `[n, 3, h, w]` (0…255) → `[n, 3, h·s, w·s]`, owned by the network and valid
    /// until the next call; `training` keeps what `backward` needs.
    func forward(_ input: UnsafePointer<Float>, n: Int, h: Int, w: Int, scale: Int, training: Bool) -> UnsafeMutablePointer<Float>
    /// Frees the last forward's activations (the next forward allocates its own): a rank
    /// that waits through a shared validation need not hold training's.
    func releaseActivations()
    /// Accumulates the parameter gradients of the last training forward into `grads`;
    /// `ready(o)`: every gradient at `o..<layout.count` is final.
    func backward(_ dOutput: UnsafePointer<Float>, ready: (Int) -> Void)
    /// The arena ranges a step at `scale` trains, grouped by Adam branch (each branch
    /// has its own step counter): EDSR has one, MDSR the shared modules and the scale's.
    func updateGroups(scale: Int) -> [(branch: String, ranges: [Range<Int>])]
    /// Each conv's geometry along the path of `scale` (for FLOP counts).
    func convShapes(n: Int, h: Int, w: Int, scale: Int) -> [Conv2dShape]
    /// The layers a forward at `scale` (one of `scales`) runs, in order.
    func networkPath(scale: Int) -> NetworkPath
}

extension SuperResolutionNetwork {
    /// Zeroes `grads`, split across the network's threads.
    public func zeroGradients() { grads.zero(threads: kernels.threads) }

    /// Receptive-field radius in LR pixels along the path of `scale`: the tile overlap
    /// that makes tiled inference equal whole-image inference.
    public func receptiveRadius(scale: Int) -> Int { networkPath(scale: scale).receptiveRadius }
}

extension EDSR: SuperResolutionNetwork {
    public var arch: Arch { .edsr }
    public var scales: [Int] { [config.scale] }

    public func forward(_ input: UnsafePointer<Float>, n: Int, h: Int, w: Int, scale: Int, training: Bool) -> UnsafeMutablePointer<Float> {
        precondition(scale == config.scale, "EDSR ×\(config.scale) cannot upscale ×\(scale)")
        return forward(input, n: n, h: h, w: w, training: training)
    }

    public func updateGroups(scale: Int) -> [(branch: String, ranges: [Range<Int>])] { [("shared", [0..<layout.count])] }

    public func convShapes(n: Int, h: Int, w: Int, scale: Int) -> [Conv2dShape] { path.convShapes(n: n, h: h, w: w) }

    public func networkPath(scale: Int) -> NetworkPath {
        precondition(scale == config.scale, "EDSR ×\(config.scale) has no ×\(scale) path")
        return path
    }
}

extension MDSR: SuperResolutionNetwork {
    public var arch: Arch { .mdsr }
    public var scales: [Int] { config.scales }

    public func updateGroups(scale: Int) -> [(branch: String, ranges: [Range<Int>])] {
        [("shared", sharedRanges), (Self.branchName(scale: scale), branchRanges(scale: scale))]
    }

    public func convShapes(n: Int, h: Int, w: Int, scale: Int) -> [Conv2dShape] { path(scale).convShapes(n: n, h: h, w: w) }

    public func networkPath(scale: Int) -> NetworkPath { path(scale) }
}
