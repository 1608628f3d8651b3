/// The DIV2K RGB mean on the 0…255 scale (EDSR-PyTorch's `rgb_mean × rgb_range`).
public let div2kMean: [Float] = [0.4488 * 255, 0.4371 * 255, 0.4040 * 255]

/// Fixed mean shift on `[n, 3, h, w]`: `output = input + sign · mean[c]`, with
/// sign −1 for EDSR's `sub_mean` and +1 for `add_mean`. It has no parameters, so its
/// backward is the identity: the gradient passes through unchanged and the networks
/// simply do not call anything for it. `output` may alias `input`.
public func meanShiftForward(output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                             n: Int, h: Int, w: Int, sign: Float, mean: [Float] = div2kMean) {
    let plane = h &* w
    for b in 0..<n {
        for c in 0..<3 {
            let off = (b &* 3 &+ c) &* plane, shift = sign * mean[c]
            for i in 0..<plane { output[off &+ i] = input[off &+ i] + shift }
        }
    }
}
