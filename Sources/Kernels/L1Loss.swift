/// Mean absolute error `L = (1/count) Σ |prediction − target|`, accumulated in Double.
public func l1LossForward(prediction: UnsafePointer<Float>, target: UnsafePointer<Float>, count: Int) -> Double {
    var total: Double = 0
    for i in 0..<count { total += Double(abs(prediction[i] - target[i])) }
    return total / Double(count)
}

/// Gradient of the L1 loss: `dPrediction = sign(prediction − target) · weight`
/// (overwritten; sign(0) = 0 as in PyTorch). `weight` is 1/count for a plain mean; a
/// data-parallel rank passes 1/(global batch elements) so that summing ranks' gradients
/// gives the global mean.
public func l1LossBackward(dPrediction: UnsafeMutablePointer<Float>, prediction: UnsafePointer<Float>,
                           target: UnsafePointer<Float>, count: Int, weight: Float) {
    for i in 0..<count {
        let d = prediction[i] - target[i]
        dPrediction[i] = d > 0 ? weight : (d < 0 ? -weight : 0)
    }
}
