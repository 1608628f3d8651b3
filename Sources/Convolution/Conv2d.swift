import Kernels

/// Forward convolution `output = epilogue(weight ⊛ input + bias)` (stride 1, zero
/// "same" padding): input `[n, cin, h, w]`, weight `[cout, cin, k, k]`, bias `[cout]`,
/// output `[n, cout, h, w]`. Routed by `context.settings`: Winograd where
/// `KernelSettings.winogradTile(for:)` gives a tile (fp32 only), else the bf16 engine
/// when one is set, else im2col.
public func conv2dForward(output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                          weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                          shape s: Conv2dShape, context: KernelContext, epilogue: ConvEpilogue = .none) {
    if let tile = context.settings.winogradTile(for: s) {
        winogradConv2dForward(output: output, input: input, weight: weight, bias: bias, shape: s, tile: tile,
                              context: context, epilogue: epilogue)
    } else if let engine = context.settings.bf16 {
        bf16Conv2dForward(output: output, input: input, weight: weight, bias: bias, shape: s, engine: engine,
                          context: context, epilogue: epilogue)
    } else {
        im2colConv2dForward(output: output, input: input, weight: weight, bias: bias, shape: s, context: context,
                            epilogue: epilogue)
    }
}

/// Backward convolution, given `dOutput` `[n, cout, h, w]` and the forward `input`:
/// `dInput` (optional) is written through `dInputEpilogue`, `dWeight` and `dBias`
/// accumulate (`+=`). Routed by `algorithm` like `conv2dForward`.
public func conv2dBackward(dInput: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
                           dBias: UnsafeMutablePointer<Float>?, dOutput: UnsafePointer<Float>,
                           input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                           shape s: Conv2dShape, context: KernelContext, dInputEpilogue: ConvEpilogue = .none) {
    if let tile = context.settings.winogradTile(for: s) {
        winogradConv2dBackward(dInput: dInput, dWeight: dWeight, dBias: dBias, dOutput: dOutput, input: input,
                               weight: weight, shape: s, tile: tile, context: context, dInputEpilogue: dInputEpilogue)
    } else if let engine = context.settings.bf16 {
        bf16Conv2dBackward(dInput: dInput, dWeight: dWeight, dBias: dBias, dOutput: dOutput, input: input,
                           weight: weight, shape: s, engine: engine, context: context, dInputEpilogue: dInputEpilogue)
    } else {
        im2colConv2dBackward(dInput: dInput, dWeight: dWeight, dBias: dBias, dOutput: dOutput, input: input,
                             weight: weight, shape: s, context: context, dInputEpilogue: dInputEpilogue)
    }
}

/// `im2colConv2dForward` with its output written through `epilogue`.
func im2colConv2dForward(output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                         weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                         shape s: Conv2dShape, context: KernelContext, epilogue: ConvEpilogue) {
    unfused(epilogue, output, count: s.outputCount, context) {
        im2colConv2dForward(output: $0, input: input, weight: weight, bias: bias, shape: s, context: context)
    }
}

/// `im2colConv2dBackward` with `dInput` (optional) written through `dInputEpilogue`.
func im2colConv2dBackward(dInput: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
                          dBias: UnsafeMutablePointer<Float>?, dOutput: UnsafePointer<Float>,
                          input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                          shape s: Conv2dShape, context: KernelContext, dInputEpilogue: ConvEpilogue) {
    if let dInput {
        unfused(dInputEpilogue, dInput, count: s.inputCount, context) {
            im2colConv2dBackward(dInput: $0, dWeight: dWeight, dBias: dBias, dOutput: dOutput, input: input,
                                 weight: weight, shape: s, context: context)
        }
    } else {
        im2colConv2dBackward(dInput: nil, dWeight: dWeight, dBias: dBias, dOutput: dOutput, input: input,
                             weight: weight, shape: s, context: context)
    }
}

/// Runs `compute` (which overwrites its argument) and then `epilogue` as a pass of its
/// own: in place, or through scratch when the epilogue needs `destination`'s old values.
private func unfused(_ epilogue: ConvEpilogue, _ destination: UnsafeMutablePointer<Float>, count: Int,
                     _ context: KernelContext, _ compute: (UnsafeMutablePointer<Float>) -> Void) {
    if case .none = epilogue { return compute(destination) }
    let result = epilogue.readsDestination ? context.buffer(.epilogue, count: count) : destination
    compute(result)
    epilogue.apply(result, into: destination, count: count, threads: context.threads)
}
