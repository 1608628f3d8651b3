/// Mean absolute error `L = (1/count) Σ |prediction − target|`, accumulated in Double.
public func l1LossForward(prediction: UnsafePointer<Float>, target: UnsafePointer<Float>, count: Int) -> Double {
    var total: Double = 0
    var i = 0
    while i < count {
        let end = min(count, i &+ 4096)
        var part: Float = 0
        for j in i..<end { part += abs(prediction[j] - target[j]) }
        total += Double(part)
        i = end
    }
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
