/// Residual scale-and-add, the end of EDSR's residual block:
/// `output = skip + scale · residual` (`output` may alias either input).
public func residualForward(output: UnsafeMutablePointer<Float>, skip: UnsafePointer<Float>,
                            residual: UnsafePointer<Float>, scale: Float, count: Int) {
    parallelChunks(count) { _, r in
        for i in r { output[i] = skip[i] + scale * residual[i] }
    }
}

/// Residual backward: `dResidual = scale · dOutput` (overwritten). The skip's gradient
/// is `dOutput` itself, so callers keep `dOutput` and add the branch's gradient to it
/// where the branch rejoins (`add`), which lets the whole residual stream's gradient
/// live in one buffer.
public func residualBackward(dResidual: UnsafeMutablePointer<Float>, dOutput: UnsafePointer<Float>,
                             scale: Float, count: Int) {
    parallelChunks(count) { _, r in
        for i in r { dResidual[i] = scale * dOutput[i] }
    }
}
