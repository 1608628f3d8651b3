import Kernels
import Models

/// One scale of an EDSR or MDSR network as an ONNX graph that computes what srdist's
/// forward computes (`NetworkPath.forward`), layer for layer:
///
///     x = input · 255 (--input-range 1 only) − rgb_mean      the mean as a [1,3,1,1] Constant
///     s₀ = Conv(x)                                            head.0
///     sᵢ₊₁ = sᵢ + res_scale · Conv(Relu(Conv(sᵢ)))            ResBlocks; the Mul only when res_scale ≠ 1
///     a = Conv(s_B) + s_skip                                  body.B, long skip
///     a = DepthToSpace(Conv(a), r, CRD) per upsampler stage   = torch's PixelShuffle
///     output = (Conv(a) + rgb_mean) / 255 (--input-range 1)   tail
///
/// Input `input` [1, 3, height, width] and output `output` [1, 3, height·s, width·s],
/// float32 with dynamic height and width.
public enum SuperResolutionGraph {
    /// The operator set the graph is written against (ai.onnx 17: Conv, Relu, Add, Sub,
    /// Mul, Div, Constant and DepthToSpace with its `mode`, all long stable).
    public static let opset = 17
    /// ONNX IR version 8, the one opset 17 was released with (onnx 1.12).
    public static let irVersion = 8

    /// The encoded model for `network` at `scale` (one of its scales), with the weights
    /// now in `network.params` as float32 initializers.
    /// - Parameter metadata: key/value pairs stored as the model's `metadata_props`.
    public static func encode(_ network: SuperResolutionNetwork, scale: Int, inputRange: InputRange,
                              metadata: [(String, String)]) -> [UInt8] {
        let path = network.networkPath(scale: scale)
        var g = ONNXGraphBuilder()
        let params = network.params.base
        func conv(_ c: ConvParameters, _ x: String) -> String {
            let w = g.initializer(c.weight.name, dims: c.weight.shape, UnsafeBufferPointer(start: params + c.weight.offset, count: c.weight.count))
            let b = g.initializer(c.bias.name, dims: c.bias.shape, UnsafeBufferPointer(start: params + c.bias.offset, count: c.bias.count))
            let pad = c.k / 2
            return g.node("Conv", [x, w, b], [.ints("kernel_shape", [c.k, c.k]), .ints("pads", [pad, pad, pad, pad])],
                          output: String(c.weight.name.dropLast(".weight".count)))
        }
        let mean = g.constant("rgb_mean", dims: [1, 3, 1, 1], div2kMean)
        var x = "input"
        if inputRange != .byte { x = g.node("Mul", [x, g.scalar(inputRange.scaleTo255)]) }
        x = g.node("Sub", [x, mean], output: "sub_mean")

        var stream = [conv(path.head, x)]
        for block in path.blocks {
            var r = conv(block.conv2, g.node("Relu", [conv(block.conv1, stream[stream.count - 1])]))
            if block.scale != 1 { r = g.node("Mul", [r, g.scalar(block.scale)]) }
            stream.append(g.node("Add", [stream[stream.count - 1], r]))
        }
        var a = g.node("Add", [conv(path.bodyConv, stream[stream.count - 1]), stream[path.skip]])
        for stage in path.upsampler.stages {
            a = g.node("DepthToSpace", [conv(stage.conv, a)], [.int("blocksize", stage.r), .string("mode", "CRD")])
        }
        let y = conv(path.tail, a)
        if inputRange == .byte {
            _ = g.node("Add", [y, mean], output: "output")
        } else {
            _ = g.node("Div", [g.node("Add", [y, mean], output: "add_mean"), g.scalar(inputRange.scaleTo255)], output: "output")
        }
        let arch = network.arch == .edsr ? "EDSR" : "MDSR"
        return g.model(name: "\(arch.lowercased())_x\(scale)",
                       input: ("input", [.fixed(1), .fixed(3), .named("height"), .named("width")]),
                       output: ("output", [.fixed(1), .fixed(3), .named("height_x\(scale)"), .named("width_x\(scale)")]),
                       irVersion: irVersion, opset: opset,
                       docString: "\(arch) ×\(scale) super-resolution: RGB [1, 3, H, W] in 0…\(inputRange.rawValue) → [1, 3, \(scale)H, \(scale)W] in the same range.",
                       metadata: metadata)
    }
}
