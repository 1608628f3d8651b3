/// Geometry of a stride-1 convolution with zero "same" padding over an NCHW batch:
/// input `[n, cin, h, w]`, weight `[cout, cin, k, k]`, bias `[cout]`, output
/// `[n, cout, h, w]`; `k` is odd and the padding is `k / 2` on every side.
public struct Conv2dShape: Equatable, Sendable {
    public var n, cin, cout, h, w, k: Int
    public init(n: Int, cin: Int, cout: Int, h: Int, w: Int, k: Int) {
        precondition(k % 2 == 1, "conv2d: kernel size must be odd")
        (self.n, self.cin, self.cout, self.h, self.w, self.k) = (n, cin, cout, h, w, k)
    }
    public var plane: Int { h * w }
    /// Rows of the im2col matrix: one per (input channel, ky, kx).
    public var patch: Int { cin * k * k }
    public var inputCount: Int { n * cin * plane }
    public var outputCount: Int { n * cout * plane }
    public var weightCount: Int { cout * patch }
    /// Multiply-adds ×2 of the direct convolution; the unit of "effective GFLOPS".
    public var flops: Double { 2 * Double(n) * Double(cout) * Double(patch) * Double(plane) }
}
