import Kernels

/// Deterministic test data: `n` values uniform in [lo, hi).
public func randomArray(_ n: Int, seed: UInt64, in range: ClosedRange<Float> = -1...1) -> [Float] {
    let rng = CounterRandom(seed: seed)
    return (0..<n).map { range.lowerBound + (range.upperBound - range.lowerBound) * rng.unit(7, UInt64($0)) }
}

/// Compares an analytic gradient with central finite differences of `loss` at up to
/// `samples` coordinates of `x` (all when fewer). Returns each sampled coordinate's
/// disagreement relative to the largest analytic gradient magnitude, so tolerances
/// read as "fraction of the gradient's scale": float32 rounding gives ~1e-3 at eps
/// 1e-2, while a wrong index or a missing term gives O(1).
///
/// - Parameters:
///   - x: the point; perturbed in place and restored.
///   - analytic: ∂loss/∂x at `x`, same count.
///   - loss: recomputes the scalar (accumulate it in Double).
public func finiteDifferenceErrors(x: inout [Float], analytic: [Float], samples: Int = 64, eps: Float = 1e-2,
                                   seed: UInt64 = 1, loss: ([Float]) -> Double) -> [Double] {
    precondition(x.count == analytic.count)
    let scale = max(analytic.map { abs(Double($0)) }.max() ?? 0, 1e-30)
    let rng = CounterRandom(seed: seed)
    let indices = x.count <= samples ? Array(0..<x.count) : (0..<samples).map { rng.below(x.count, 3, UInt64($0)) }
    return indices.map { i in
        let keep = x[i]
        x[i] = keep + eps
        let up = loss(x)
        x[i] = keep - eps
        let down = loss(x)
        x[i] = keep
        return abs((up - down) / (2 * Double(eps)) - Double(analytic[i])) / scale
    }
}

/// The largest of `finiteDifferenceErrors`: for functions that are smooth at `x`.
public func finiteDifferenceError(x: inout [Float], analytic: [Float], samples: Int = 64, eps: Float = 1e-2,
                                  seed: UInt64 = 1, loss: ([Float]) -> Double) -> Double {
    finiteDifferenceErrors(x: &x, analytic: analytic, samples: samples, eps: eps, seed: seed, loss: loss).max() ?? 0
}

/// Σ w·y in Double: a smooth linear "loss" whose gradient with respect to y is w.
public func weightedSum(_ y: UnsafePointer<Float>, _ w: [Float]) -> Double {
    var s = 0.0
    for i in w.indices { s += Double(w[i]) * Double(y[i]) }
    return s
}
