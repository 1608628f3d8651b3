/// Which kernel computes the convolutions.
public enum ConvAlgorithm: String, Sendable, CaseIterable {
    /// im2col + sgemm for every layer: the reference path any result can be re-checked on.
    case im2col
    /// Winograd for the 3×3 and 5×5 layers where it is faster (`Conv2dAlgorithm.winogradTile`),
    /// im2col for the rest.
    case winograd
}

/// The process-wide convolution setting; set it once at start-up, before any kernel runs.
public enum Conv2dAlgorithm {
    nonisolated(unsafe) public static var current: ConvAlgorithm = .winograd
    /// Tile of the Winograd path for 3×3 kernels (one of `WinogradTile.threeByThree`).
    nonisolated(unsafe) public static var tile = defaultTile
    /// The fastest 3×3 tile here (`srdist bench-conv`): `train.winograd_tile`'s default.
    public static let defaultTile = WinogradTile.f6x6

    /// The Winograd tile `algorithm` computes a layer of shape `s` with, or nil for
    /// im2col: `tile` for 3×3 kernels and F(4×4, 5×5) for MDSR's 5×5 ones, given at
    /// least `minWinogradInputs` input channels. Measured on this machine
    /// (`srdist bench-conv`): the 3→F head runs faster on im2col, everything else with
    /// F input channels (F→F, F→4F, F→9F, F→3 tail, 5×5 F→F) on Winograd.
    public static func winogradTile(for s: Conv2dShape, algorithm: ConvAlgorithm = current) -> WinogradTile? {
        guard algorithm == .winograd, s.cin >= minWinogradInputs else { return nil }
        switch s.k {
        case 3: return tile
        case 5: return .f4x4k5
        default: return nil
        }
    }

    /// Below this many input channels, the transforms cost more than the GEMMs save.
    public static let minWinogradInputs = 16
}

/// Forward convolution `output = epilogue(weight ⊛ input + bias)` (stride 1, zero
/// "same" padding): input `[n, cin, h, w]`, weight `[cout, cin, k, k]`, bias `[cout]`,
/// output `[n, cout, h, w]`. Routed by `algorithm` (see `Conv2dAlgorithm`).
public func conv2dForward(output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                          weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                          shape s: Conv2dShape, algorithm: ConvAlgorithm = Conv2dAlgorithm.current,
                          epilogue: ConvEpilogue = .none) {
    if let tile = Conv2dAlgorithm.winogradTile(for: s, algorithm: algorithm) {
        winogradConv2dForward(output: output, input: input, weight: weight, bias: bias, shape: s, tile: tile,
                              epilogue: epilogue)
    } else {
        unfused(epilogue, output, count: s.outputCount) {
            im2colConv2dForward(output: $0, input: input, weight: weight, bias: bias, shape: s)
        }
    }
}

/// Backward convolution, given `dOutput` `[n, cout, h, w]` and the forward `input`:
/// `dInput` (optional) is written through `dInputEpilogue`, `dWeight` and `dBias`
/// accumulate (`+=`). Routed by `algorithm` like `conv2dForward`.
public func conv2dBackward(dInput: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
                           dBias: UnsafeMutablePointer<Float>?, dOutput: UnsafePointer<Float>,
                           input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                           shape s: Conv2dShape, algorithm: ConvAlgorithm = Conv2dAlgorithm.current,
                           dInputEpilogue: ConvEpilogue = .none) {
    if let tile = Conv2dAlgorithm.winogradTile(for: s, algorithm: algorithm) {
        winogradConv2dBackward(dInput: dInput, dWeight: dWeight, dBias: dBias, dOutput: dOutput, input: input,
                               weight: weight, shape: s, tile: tile, dInputEpilogue: dInputEpilogue)
    } else if let dInput {
        unfused(dInputEpilogue, dInput, count: s.inputCount) {
            im2colConv2dBackward(dInput: $0, dWeight: dWeight, dBias: dBias, dOutput: dOutput, input: input,
                                 weight: weight, shape: s)
        }
    } else {
        im2colConv2dBackward(dInput: nil, dWeight: dWeight, dBias: dBias, dOutput: dOutput, input: input,
                             weight: weight, shape: s)
    }
}

/// Runs `compute` (which overwrites its argument) and then `epilogue` as a pass of its
/// own: in place, or through scratch when the epilogue needs `destination`'s old values.
private func unfused(_ epilogue: ConvEpilogue, _ destination: UnsafeMutablePointer<Float>, count: Int,
                     _ compute: (UnsafeMutablePointer<Float>) -> Void) {
    if case .none = epilogue { return compute(destination) }
    let result = epilogue.readsDestination ? Scratch.shared.buffer("epilogue", count: count) : destination
    compute(result)
    epilogue.apply(result, into: destination, count: count)
}
