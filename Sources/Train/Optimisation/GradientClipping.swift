import Foundation
import Kernels

/// Global L2 norm of the summed gradient, and clipping by it (`train.grad_clip`, as
/// PyTorch's `clip_grad_norm_` and EDSR-PyTorch's `--gclip`).
///
/// Every rank holds the same summed gradient after the all-reduce and computes the
/// norm itself, so the sum must not depend on how many threads a rank has (ranks of
/// one job may have different `threads_per_rank` defaults): fixed blocks are summed
/// in Double, each sequentially, and the block sums in order. Same bits on every rank,
/// without another collective.
public enum GradientClipping {
    /// Elements per block sum: large enough to amortise the dispatch, small enough for
    /// every worker to get several.
    static let block = 1 << 14

    /// √(Σ g²) over `count` floats at `gradients`, the blocks split across `threads`
    /// workers (the result does not depend on `threads`).
    public static func norm(_ gradients: UnsafePointer<Float>, count: Int, threads: Int) -> Double {
        let blocks = (count + block - 1) / block
        var sums = [Double](repeating: 0, count: blocks)
        sums.withUnsafeMutableBufferPointer { out in
            let out = out.baseAddress!
            parallelChunks(blocks, threads: threads) { _, chunk in
                for b in chunk {
                    var s = 0.0
                    for i in (b * block)..<min((b + 1) * block, count) { let g = Double(gradients[i]); s += g * g }
                    out[b] = s
                }
            }
        }
        return sums.reduce(0, +).squareRoot()
    }

    /// Scales the gradient by `maxNorm / (norm + 1e-6)` when `norm` exceeds `maxNorm`
    /// (PyTorch's rule: the ε keeps a zero norm harmless); otherwise leaves it alone.
    /// - Returns: whether the gradient was scaled.
    @discardableResult
    public static func clip(_ gradients: UnsafeMutablePointer<Float>, count: Int, norm: Double, maxNorm: Double,
                            threads: Int) -> Bool {
        let coefficient = maxNorm / (norm + 1e-6)
        guard coefficient < 1 else { return false }
        let c = Float(coefficient)
        parallelChunks(count, threads: threads) { _, chunk in
            for i in chunk { gradients[i] *= c }
        }
        return true
    }
}
