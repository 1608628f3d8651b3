import Machine

/// The Winograd forward and backward passes as compiled for one SIMD level. Swift has no
/// per-function target attribute, so Package.swift compiles `Sources/Winograd` once per
/// level (modules `Winograd`, `WinogradAVX2`, `WinogradAVX512`, each exporting its
/// passes); `Convolution` calls the ones of `KernelSettings.simd`.
///
/// The arguments are those of `winogradConv2dForward` and `winogradConv2dBackward` in
/// `Convolution`, in order.
public struct WinogradPasses {
    public typealias Forward = (_ output: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>,
                                _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?, _ shape: Conv2dShape,
                                _ tile: WinogradTile, _ context: KernelContext, _ epilogue: ConvEpilogue) -> Void
    public typealias Backward = (_ dInput: UnsafeMutablePointer<Float>?, _ dWeight: UnsafeMutablePointer<Float>,
                                 _ dBias: UnsafeMutablePointer<Float>?, _ dOutput: UnsafePointer<Float>,
                                 _ input: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ shape: Conv2dShape,
                                 _ tile: WinogradTile, _ context: KernelContext, _ dInputEpilogue: ConvEpilogue) -> Void

    /// The level the module was compiled for.
    public let level: SIMDLevel
    /// The forward pass (`winogradConv2dForward`).
    public let forward: Forward
    /// The backward pass (`winogradConv2dBackward`).
    public let backward: Backward

    public init(level: SIMDLevel, forward: @escaping Forward, backward: @escaping Backward) {
        (self.level, self.forward, self.backward) = (level, forward, backward)
    }
}
