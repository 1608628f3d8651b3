import Convolution
import Kernels

extension ConvParameters {
    /// This layer's forward over `[n, cin, h, w]`, the result stored through `epilogue`.
    @inline(__always)
    func forward(_ p: Arena, out: UnsafeMutablePointer<Float>, in x: UnsafePointer<Float>, n: Int, h: Int, w: Int,
                 kernels: KernelContext, epilogue: ConvEpilogue = .none) {
        conv2dForward(output: out, input: x, weight: p[weight], bias: p[bias], shape: shape(n: n, h: h, w: w),
                      context: kernels, epilogue: epilogue)
    }

    /// This layer's backward; `dIn` nil when the input needs no gradient (the head),
    /// else stored through `dInEpilogue`. Weight and bias gradients accumulate into `g`.
    @inline(__always)
    func backward(_ p: Arena, _ g: Arena, dIn: UnsafeMutablePointer<Float>?, dOut: UnsafePointer<Float>,
                  in x: UnsafePointer<Float>, n: Int, h: Int, w: Int, kernels: KernelContext,
                  dInEpilogue: ConvEpilogue = .none) {
        conv2dBackward(dInput: dIn, dWeight: g[weight], dBias: g[bias], dOutput: dOut, input: x, weight: p[weight],
                       shape: shape(n: n, h: h, w: w), context: kernels, dInputEpilogue: dInEpilogue)
    }
}
