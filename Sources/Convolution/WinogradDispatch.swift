import Kernels
import Machine
import Winograd
import WinogradAVX2
import WinogradAVX512

extension SIMDLevel {
    /// The Winograd passes compiled for this level.
    public var winogradPasses: WinogradPasses {
        switch self {
        case .generic: Winograd.compiledPasses
        case .avx2: WinogradAVX2.compiledPasses
        case .avx512: WinogradAVX512.compiledPasses
        }
    }
}

/// Forward r×r convolution (stride 1, zero "same" padding) by Winograd F(m×m, r×r):
/// same arguments and result as `im2colConv2dForward` up to rounding (F(4×4), F(6×6) ~1e-5
/// relative, see `WinogradTests`). Input `[n, cin, h, w]`, weight `[cout, cin, r, r]`
/// (r = `tile.r`), bias `[cout]`, output `[n, cout, h, w]` (written through `epilogue`).
/// Any h × w: edge tiles read zeros outside the image and write only inside it. Runs the
/// passes compiled for `context.settings.simd`.
public func winogradConv2dForward(output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                                  weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                  shape s: Conv2dShape, tile: WinogradTile, context: KernelContext,
                                  epilogue: ConvEpilogue = .none) {
    context.settings.simd.winogradPasses.forward(output, input, weight, bias, s, tile, context, epilogue)
}

/// Backward of `winogradConv2dForward`, same arguments and accumulation rule as
/// `im2colConv2dBackward`: `dInput` (optional) is written through `dInputEpilogue`,
/// `dWeight` and `dBias` accumulate (`+=`). The same thread count gives the same bits on
/// every run.
public func winogradConv2dBackward(dInput: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
                                   dBias: UnsafeMutablePointer<Float>?, dOutput: UnsafePointer<Float>,
                                   input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                   shape s: Conv2dShape, tile: WinogradTile, context: KernelContext,
                                   dInputEpilogue: ConvEpilogue = .none) {
    context.settings.simd.winogradPasses.backward(dInput, dWeight, dBias, dOutput, input, weight, s, tile, context,
                                                  dInputEpilogue)
}
