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
    @inlinable @inline(__always)
    public func shifted(_ offset: Int) -> ConvEpilogue {
        switch self {
        case .none, .relu, .accumulate: return self
        case let .residual(skip, scale): return .residual(skip: skip + offset, scale: scale)
        case let .reluGate(output): return .reluGate(output: output + offset)
        }
    }

    /// The tensor it reads besides the result and the destination, if any.
    @inlinable
    public var auxiliary: UnsafePointer<Float>? {
        switch self {
        case .none, .relu, .accumulate: return nil
        case let .residual(skip, _): return skip
        case let .reluGate(output): return output
        }
    }

    /// Whether applying it needs the destination's old contents.
    public var readsDestination: Bool {
        if case .accumulate = self { return true }
        return false
    }

    /// `destination[i] = epilogue(result[i])` for i < count, split across `threads` workers.
    /// `result` may alias `destination` unless `readsDestination`.
    public func apply(_ result: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, count: Int, threads: Int) {
        parallelChunks(count, threads: threads) { _, range in
            let r = result + range.lowerBound
            shifted(range.lowerBound).withStore(into: destination + range.lowerBound) { store in
                for i in 0..<range.count { store(r[i], i) }
            }
        }
    }

    /// Calls `body` with `store(value, i)`, which sets `row[i] = epilogue(value)` (`row`
    /// at this epilogue's offset). One switch per call, so the loops in `body` are
    /// compiled once per case without a branch per element.
    /// Inlinable so that each Winograd module compiles it for its own SIMD level.
    @inlinable @inline(__always)
    public func withStore(into row: UnsafeMutablePointer<Float>, _ body: ((Float, Int) -> Void) -> Void) {
        switch self {
        case .none: body { row[$1] = $0 }
        case .relu: body { row[$1] = max($0, 0) }
        case let .residual(skip, scale): body { row[$1] = skip[$1] + scale * $0 }
        case let .reluGate(output): body { row[$1] = output[$1] > 0 ? $0 : 0 }
        case .accumulate: body { row[$1] += $0 }
        }
    }
}
