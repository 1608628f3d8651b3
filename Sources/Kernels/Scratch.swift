/// What a scratch buffer is for: each kernel's buffers by name, so two uses never
/// share one by a typo.
public enum ScratchUse: Hashable, Sendable {
    /// An unfused epilogue's result, when the epilogue reads its destination.
    case epilogue
    /// im2col's column matrix, per worker.
    case im2colColumns
    /// im2col backward's per-worker weight and bias gradient partial sums.
    case im2colWeightGradients
    /// The transformed filters U of a Winograd layer.
    case winogradFilters
    /// Per worker: the Winograd-domain data a unit's position GEMMs read (and, when the
    /// plane strides agree, the data they write, one plane behind).
    case winogradGemmSource
    /// Per worker: the Winograd-domain data a unit's position GEMMs write, when its plane
    /// stride differs from their source's.
    case winogradGemmResult
    /// Per worker: a unit's input-side data transposed, `[tile][channel]` (weight gradient).
    case winogradInputTransposed
    /// Per worker: tile-row scratch of the block transforms.
    case winogradRows
    /// Per worker: Winograd-domain weight and bias gradient partial sums.
    case winogradWeightGradients
    /// Per worker: the filter transform's and the weight gradient's row scratch.
    case winogradFilterRows
    /// Per worker: one output plane's input planes during an in-place pixel shuffle.
    case pixelShuffle
    /// The bf16 reference engine's rounded copies of a layer's input, weight and output gradient.
    case bf16Input, bf16Weight, bf16OutputGradient
}

/// Reusable scratch buffers for kernels (im2col columns, per-worker partial gradients).
/// Allocating tens of megabytes per call costs page faults on every step; these grow
/// once and stay. Buffers are handed out before a parallel region starts, so workers
/// never touch the table itself. Owned by a `KernelContext`.
final class Scratch {
    private struct Key: Hashable { var use: ScratchUse; var worker: Int }
    private var buffers: [Key: (base: UnsafeMutablePointer<Float>, count: Int)] = [:]

    deinit { removeAll() }

    /// Frees every buffer; later requests allocate anew.
    func removeAll() {
        for b in buffers.values { deallocateFloats(b.base) }
        buffers = [:]
    }

    /// A buffer of at least `count` floats for (`use`, `worker`); contents undefined.
    func buffer(_ use: ScratchUse, worker: Int, count: Int) -> UnsafeMutablePointer<Float> {
        let key = Key(use: use, worker: worker)
        if let b = buffers[key], b.count >= count { return b.base }
        if let old = buffers[key] { deallocateFloats(old.base) }
        let base = allocateFloats(count, roundUp: true)
        buffers[key] = (base, count)
        return base
    }
}
