import Foundation
import Kernels
import Models

/// Adam (Kingma & Ba) with PyTorch's bias correction, over flat arenas:
///
///     m ← β₁m + (1−β₁)g        v ← β₂v + (1−β₂)g²
///     θ ← θ − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)
///
/// `m` and `v` share the parameter layout, so one loop over ranges updates any set of
/// tensors. Each branch keeps its own t: MDSR updates the shared modules every step
/// but a scale's branch only on that scale's steps, and a branch's bias correction
/// must count its own updates. A branch not updated keeps its m, v and t untouched
/// (no moment decay), as PyTorch's Adam does for parameters whose grad is None.
public final class Adam {
    public let beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8
    public let m: Arena
    public let v: Arena
    /// Branch every step updates: all of EDSR; MDSR's head, body and tail.
    public static let sharedBranch = "shared"
    /// Updates applied so far per branch name (t in that branch's bias corrections);
    /// a missing name has had none. Checkpoints store and restore this table.
    public var steps: [String: Int] = [:]
    /// The shared branch's count: EDSR's number of updates.
    public var step: Int {
        get { steps[Self.sharedBranch] ?? 0 }
        set { steps[Self.sharedBranch] = newValue }
    }

    /// Workers each update is split across.
    public let threads: Int

    /// Zero moments for an arena of `count` floats, updated with `threads` workers.
    public init(count: Int, threads: Int) {
        self.threads = threads
        m = Arena(count: count)
        v = Arena(count: count)
    }

    /// One update of the shared branch, `params[range]` from `grads[range]`.
    public func update(params: Arena, grads: Arena, range: Range<Int>, lr: Float) {
        update(params: params, grads: grads, ranges: [range], branch: Self.sharedBranch, lr: lr)
    }

    /// One update of `branch`: advances its step counter and updates `params[r]` from
    /// `grads[r]` for every `r` in `ranges`. Nothing outside `ranges` changes.
    public func update(params: Arena, grads: Arena, ranges: [Range<Int>], branch: String, lr: Float) {
        let step = (steps[branch] ?? 0) + 1
        steps[branch] = step
        let t = Float(step)
        let stepSize = lr / (1 - pow(beta1, t))
        let correction2 = (1 - pow(beta2, t)).squareRoot()
        let (b1, b2, eps) = (beta1, beta2, eps)
        let p = params.base, g = grads.base, m = m.base, v = v.base
        // Elementwise, so splitting across workers changes no bits; single-threaded it
        // cost ~0.1 s per step for EDSR's 43 M parameters.
        for range in ranges {
            parallelChunks(range.count, threads: threads) { _, chunk in
                for i in (range.lowerBound &+ chunk.lowerBound)..<(range.lowerBound &+ chunk.upperBound) {
                    let gi = g[i]
                    m[i] = b1 * m[i] + (1 - b1) * gi
                    v[i] = b2 * v[i] + (1 - b2) * gi * gi
                    p[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2 + eps)
                }
            }
        }
    }
}
