/// What a convolution does with each result element on its way out. The Winograd path
/// applies it in its output pass, which saves a separate read and write of the whole
/// activation for the element-wise op after most convolutions (ReLU, the residual
/// scale-add, their gradients); the im2col reference applies it in a pass of its own.
/// Auxiliary tensors are indexed like the output.
public enum ConvEpilogue {
    /// Store the result.
    case none
    /// `max(result, 0)`: the ReLU after a convolution.
    case relu
    /// `skip + scale · result`: the end of EDSR's residual block.
    case residual(skip: UnsafePointer<Float>, scale: Float)
    /// `result · [output > 0]`: the gradient through a ReLU, from its forward output.
    case reluGate(output: UnsafePointer<Float>)
    /// `destination + result`: a gradient joining one already in the destination.
    case accumulate

    /// The same epilogue for the output region starting `offset` elements in.
    @inline(__always)
    func shifted(_ offset: Int) -> ConvEpilogue {
        switch self {
        case .none, .relu, .accumulate: return self
        case let .residual(skip, scale): return .residual(skip: skip + offset, scale: scale)
        case let .reluGate(output): return .reluGate(output: output + offset)
        }
    }

    /// Whether applying it needs the destination's old contents.
    var readsDestination: Bool {
        if case .accumulate = self { return true }
        return false
    }

    /// `destination[i] = epilogue(result[i])` for i < count, split across workers.
    /// `result` may alias `destination` unless `readsDestination`.
    func apply(_ result: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, count: Int) {
        parallelChunks(count) { _, range in
            let e = shifted(range.lowerBound), d = destination + range.lowerBound, r = result + range.lowerBound
            for i in 0..<range.count { e.store(r[i], d, i) }
        }
    }

    /// `row[i] = epilogue(value)`, `row` at this epilogue's offset. Called per element
    /// inside loops; the switch is the same for every element, so it predicts perfectly.
    @inline(__always)
    func store(_ value: Float, _ row: UnsafeMutablePointer<Float>, _ i: Int) {
        switch self {
        case .none: row[i] = value
        case .relu: row[i] = max(value, 0)
        case let .residual(skip, scale): row[i] = skip[i] + scale * value
        case let .reluGate(output): row[i] = output[i] > 0 ? value : 0
        case .accumulate: row[i] += value
        }
    }
}
