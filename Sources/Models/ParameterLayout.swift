import Kernels
import Support

/// One named tensor inside a flat arena: `count` floats starting at `offset`, laid out
/// row-major with `shape` (PyTorch's order, e.g. conv weights `[cout, cin, k, k]`).
public struct TensorView: Equatable, Sendable {
    public let name: String
    public let shape: [Int]
    public let offset: Int
    public var count: Int { shape.reduce(1, *) }
    public var range: Range<Int> { offset..<(offset + count) }
}

/// The table of every trainable tensor of a model, in forward (registration) order.
/// The same table indexes the parameter arena, the gradient arena and Adam's two
/// moment arenas, so optimiser, allreduce and checkpoint code are flat loops.
public struct ParameterLayout: Equatable, Sendable {
    public private(set) var views: [TensorView] = []
    public private(set) var count = 0

    public init() {}

    /// Appends a tensor after the last one and returns its view.
    @discardableResult
    public mutating func add(_ name: String, _ shape: [Int]) -> TensorView {
        let v = TensorView(name: name, shape: shape, offset: count)
        views.append(v)
        count += v.count
        return v
    }

    public func view(named name: String) -> TensorView? { views.first { $0.name == name } }
}

/// A conv layer's parameters inside the arena: `<prefix>.weight` `[cout, cin, k, k]`
/// and `<prefix>.bias` `[cout]`.
public struct ConvParameters: Sendable {
    public let weight: TensorView
    public let bias: TensorView
    public let cin, cout, k: Int

    public init(_ layout: inout ParameterLayout, _ prefix: String, cin: Int, cout: Int, k: Int) {
        weight = layout.add("\(prefix).weight", [cout, cin, k, k])
        bias = layout.add("\(prefix).bias", [cout])
        (self.cin, self.cout, self.k) = (cin, cout, k)
    }

    /// Weight and bias together (the bias directly follows the weight).
    public var range: Range<Int> { weight.offset..<bias.range.upperBound }

    public func shape(n: Int, h: Int, w: Int) -> Conv2dShape {
        Conv2dShape(n: n, cin: cin, cout: cout, h: h, w: w, k: k)
    }
}

/// The arena ranges `convs` occupy, as few ranges as possible: sorted by offset,
/// with adjacent ranges merged.
func contiguousRanges(_ convs: [ConvParameters]) -> [Range<Int>] {
    var merged: [Range<Int>] = []
    for r in convs.map(\.range).sorted(by: { $0.lowerBound < $1.lowerBound }) {
        if let last = merged.last, last.upperBound == r.lowerBound {
            merged[merged.count - 1] = last.lowerBound..<r.upperBound
        } else {
            merged.append(r)
        }
    }
    return merged
}

/// PyTorch's default Conv2d initialisation (Kaiming-uniform with a = √5, which gives
/// bound 1/√fan_in, and bias uniform ±1/√fan_in), drawn from a counter-based stream
/// so that the same seed gives the same weights on every machine and rank.
public func initializeConvParameters(_ convs: [ConvParameters], into params: UnsafeMutablePointer<Float>, seed: UInt64) {
    let rng = CounterRandom(seed: seed)
    for conv in convs {
        let bound = 1 / Float(conv.cin * conv.k * conv.k).squareRoot()
        for v in [conv.weight, conv.bias] {
            // Each tensor draws from a stream named by its name, so adding a tensor
            // elsewhere does not reshuffle this one's values.
            let stream = StableHash.ofBytes(v.name)
            for i in 0..<v.count {
                params[v.offset + i] = (2 * rng.unit(stream, UInt64(i)) - 1) * bound
            }
        }
    }
}

