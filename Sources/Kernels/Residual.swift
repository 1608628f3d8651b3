/// Backward of the residual scale-add (`ConvEpilogue.residual`): `dResidual = scale · dOutput`
/// (overwritten). The skip's gradient
/// is `dOutput` itself, so callers keep `dOutput` and add the branch's gradient to it
/// where the branch rejoins (`add`), which lets the whole residual stream's gradient
/// live in one buffer.
public func residualBackward(dResidual: UnsafeMutablePointer<Float>, dOutput: UnsafePointer<Float>,
                             scale: Float, count: Int, threads: Int) {
    parallelChunks(count, threads: threads) { _, r in
        for i in r { dResidual[i] = scale * dOutput[i] }
    }
}

/// `y += x` over a whole activation tensor, split across workers: where a residual
/// branch's gradient or the long skip joins the stream (single-threaded, these adds
/// took ~3 % of a 2-thread step).
public func residualAdd(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int, threads: Int) {
    parallelChunks(count, threads: threads) { _, r in add(y + r.lowerBound, x + r.lowerBound, r.count) }
}
