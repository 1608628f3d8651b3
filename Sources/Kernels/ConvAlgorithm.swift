/// Which kernel computes the convolutions.
public enum ConvAlgorithm: String, Sendable, CaseIterable {
    /// im2col + sgemm for every layer: the reference path any result can be re-checked on.
    case im2col
    /// Winograd for the 3×3 layers where it is faster (`Conv2dAlgorithm.usesWinograd`),
    /// im2col for the rest.
    case winograd
}

/// The process-wide convolution setting; set it once at start-up, before any kernel runs.
public enum Conv2dAlgorithm {
    nonisolated(unsafe) public static var current: ConvAlgorithm = .winograd
    /// Tile size of the Winograd path.
    nonisolated(unsafe) public static var tile: WinogradTile = .f4x4

    /// Whether `algorithm` sends a layer of shape `s` to Winograd: 3×3 kernels with at
    /// least `minWinogradInputs` input channels. Measured on this machine
    /// (`srdist bench-conv`): the 3→F head runs faster on im2col, everything else with
    /// F input channels (F→F, F→4F, F→9F, F→3 tail) on Winograd.
    public static func usesWinograd(_ s: Conv2dShape, algorithm: ConvAlgorithm = current) -> Bool {
        algorithm == .winograd && s.k == 3 && s.cin >= minWinogradInputs
    }

    /// Below this many input channels, the transforms cost more than the GEMMs save.
    public static let minWinogradInputs = 16
}

/// Forward convolution `output = weight ⊛ input + bias` (stride 1, zero "same" padding):
/// input `[n, cin, h, w]`, weight `[cout, cin, k, k]`, bias `[cout]`, output
/// `[n, cout, h, w]` (overwritten). Routed by `algorithm` (see `Conv2dAlgorithm`).
public func conv2dForward(output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                          weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                          shape s: Conv2dShape, algorithm: ConvAlgorithm = Conv2dAlgorithm.current) {
    if Conv2dAlgorithm.usesWinograd(s, algorithm: algorithm) {
        winogradConv2dForward(output: output, input: input, weight: weight, bias: bias, shape: s, tile: Conv2dAlgorithm.tile)
    } else {
        im2colConv2dForward(output: output, input: input, weight: weight, bias: bias, shape: s)
    }
}

/// Backward convolution, given `dOutput` `[n, cout, h, w]` and the forward `input`:
/// `dInput` (optional) is overwritten, `dWeight` and `dBias` accumulate (`+=`).
/// Routed by `algorithm` like `conv2dForward`.
public func conv2dBackward(dInput: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
                           dBias: UnsafeMutablePointer<Float>?, dOutput: UnsafePointer<Float>,
                           input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                           shape s: Conv2dShape, algorithm: ConvAlgorithm = Conv2dAlgorithm.current) {
    if Conv2dAlgorithm.usesWinograd(s, algorithm: algorithm) {
        winogradConv2dBackward(dInput: dInput, dWeight: dWeight, dBias: dBias, dOutput: dOutput, input: input,
                               weight: weight, shape: s, tile: Conv2dAlgorithm.tile)
    } else {
        im2colConv2dBackward(dInput: dInput, dWeight: dWeight, dBias: dBias, dOutput: dOutput, input: input,
                             weight: weight, shape: s)
    }
}
