import Foundation
import Models

/// Adam (Kingma & Ba) with PyTorch's bias correction, over flat arenas:
///
///     m ← β₁m + (1−β₁)g        v ← β₂v + (1−β₂)g²
///     θ ← θ − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)
///
/// `m` and `v` share the parameter layout, so one loop over a range updates any set of
/// tensors (MDSR updates only the branches a step used).
public final class Adam {
    public let beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8
    public let m: Arena
    public let v: Arena
    /// Updates applied so far (t in the bias corrections).
    public var step = 0

    public init(count: Int) {
        m = Arena(count: count)
        v = Arena(count: count)
    }

    /// One update of `params[range]` from `grads[range]` at learning rate `lr`.
    public func update(params: Arena, grads: Arena, range: Range<Int>, lr: Float) {
        step += 1
        let t = Float(step)
        let stepSize = lr / (1 - pow(beta1, t))
        let correction2 = (1 - pow(beta2, t)).squareRoot()
        let (b1, b2, eps) = (beta1, beta2, eps)
        let p = params.base, g = grads.base, m = m.base, v = v.base
        for i in range {
            let gi = g[i]
            m[i] = b1 * m[i] + (1 - b1) * gi
            v[i] = b2 * v[i] + (1 - b2) * gi * gi
            p[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2 + eps)
        }
    }
}

/// Step decay: `base · 0.5^⌊step / every⌋` (paper: halve every 2·10⁵ updates).
public func learningRate(base: Double, step: Int, halveEvery: Int) -> Float {
    Float(base * pow(0.5, Double(step / halveEvery)))
}
