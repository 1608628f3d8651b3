import Convolution
import Kernels
import Models

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

/// A whole network's parameter gradient against central differences, tensor by tensor.
/// A ReLU input that a ±eps step pushes across zero makes that coordinate's difference
/// quotient meaningless, and small steps drown in the float32 rounding of a ~100-valued
/// output, so each sampled coordinate counts as agreeing when it is within `tolerance`
/// of the tensor's gradient scale at any of `steps`. A wrong index, a missing term or a
/// wrong factor is off by O(100 %) almost everywhere; exact values are pinned by the
/// PyTorch reference tests.
///
/// - Parameters:
///   - params: the parameter arena; each tensor is perturbed in place and restored.
///   - analytic: the gradient arena's contents at the unperturbed parameters.
///   - views: the tensors to check.
///   - loss: recomputes the scalar from the current `params`.
/// - Returns: per tensor, the share of sampled coordinates that agree and the best error of each.
public func tensorGradientAgreement(params: Arena, analytic: [Float], views: [TensorView], samples: Int = 20,
                                    steps: [Float] = [2e-3, 1e-2, 1e-1], tolerance: Double = 5e-2,
                                    loss: () -> Double) -> [(name: String, agreeing: Double, errors: [Double])] {
    views.map { v in
        var slice = Array(UnsafeBufferPointer(start: params[v], count: v.count))
        let grad = Array(analytic[v.range])
        func perturbedLoss(_ values: [Float]) -> Double {
            values.withUnsafeBufferPointer { params[v].update(from: $0.baseAddress!, count: v.count) }
            return loss()
        }
        let errors = steps.map { eps in
            finiteDifferenceErrors(x: &slice, analytic: grad, samples: samples, eps: eps, loss: perturbedLoss)
        }.reduce([Double](repeating: .infinity, count: min(samples, grad.count))) { zip($0, $1).map { min($0, $1) } }
        slice.withUnsafeBufferPointer { params[v].update(from: $0.baseAddress!, count: v.count) }
        return (v.name, Double(errors.filter { $0 < tolerance }.count) / Double(errors.count), errors)
    }
}

/// A convolution backward pass, as `im2colConv2dBackward` and `winogradConv2dBackward`:
/// (dInput, dWeight, dBias, dOutput, input, weight, shape).
public typealias ConvBackward = (UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>?,
                                 UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, Conv2dShape) -> Void

/// Checks the Kernels accumulate rule on `backward`: calling it twice from zeroed
/// gradients must leave dInput as after one call (overwritten) and double dWeight and
/// dBias (accumulated). Returns the largest violation, relative to each gradient's
/// magnitude (float32 reassociation of the doubled sums gives ~1e-7; a wrong rule O(1)).
public func accumulationRuleError(_ s: Conv2dShape, _ backward: ConvBackward) -> Double {
    let x = randomArray(s.inputCount, seed: 1), wt = randomArray(s.weightCount, seed: 2)
    let probe = randomArray(s.outputCount, seed: 3)
    var dx = [Float](repeating: 7, count: s.inputCount)
    var dw = [Float](repeating: 0, count: s.weightCount), db = [Float](repeating: 0, count: s.cout)
    backward(&dx, &dw, &db, probe, x, wt, s)
    let (dx1, dw1, db1) = (dx, dw, db)
    backward(&dx, &dw, &db, probe, x, wt, s)
    var worst = zip(dx, dx1).map { Double(abs($0 - $1)) }.max() ?? 0
    for (twice, once) in [(dw, dw1), (db, db1)] {
        for (a, b) in zip(twice, once) { worst = max(worst, Double(abs(a - 2 * b)) / Double(max(1, abs(b)))) }
    }
    return worst
}
