import Kernels
import Machine

/// Forward convolution in bf16: `output = epilogue(bf16(weight) ⊛ bf16(input) + bias)`,
/// products accumulated in fp32 and the bias added in fp32. Same shapes and arguments as
/// `conv2dForward`, which routes here when `context.settings.bf16` is set.
public func bf16Conv2dForward(output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                              weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                              shape s: Conv2dShape, engine: BF16Engine, context: KernelContext,
                              epilogue: ConvEpilogue = .none) {
    switch engine {
    case .reference:
        im2colConv2dForward(output: output, input: rounded(.bf16Input, input, s.inputCount, context),
                            weight: rounded(.bf16Weight, weight, s.weightCount, context), bias: bias, shape: s,
                            context: context, epilogue: epilogue)
    }
}

/// Backward of `bf16Conv2dForward`: backward-data and backward-weights read bf16
/// `dOutput`, `input` and `weight` and accumulate in fp32; `dBias` is the fp32 sum of
/// the bf16 `dOutput`. Same arguments and accumulation rule as `conv2dBackward`.
public func bf16Conv2dBackward(dInput: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
                               dBias: UnsafeMutablePointer<Float>?, dOutput: UnsafePointer<Float>,
                               input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                               shape s: Conv2dShape, engine: BF16Engine, context: KernelContext,
                               dInputEpilogue: ConvEpilogue = .none) {
    switch engine {
    case .reference:
        im2colConv2dBackward(dInput: dInput, dWeight: dWeight, dBias: dBias,
                             dOutput: rounded(.bf16OutputGradient, dOutput, s.outputCount, context),
                             input: rounded(.bf16Input, input, s.inputCount, context),
                             weight: rounded(.bf16Weight, weight, s.weightCount, context), shape: s, context: context,
                             dInputEpilogue: dInputEpilogue)
    }
}

/// `source` rounded to bf16 in the context's scratch buffer for `use`.
private func rounded(_ use: ScratchUse, _ source: UnsafePointer<Float>, _ count: Int,
                     _ context: KernelContext) -> UnsafePointer<Float> {
    let copy = context.buffer(use, count: count)
    roundToBF16(copy, source, count: count)
    return UnsafePointer(copy)
}
