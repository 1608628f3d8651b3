import Glibc
import Kernels

/// Times each pass of one convolution shape with each kernel: the numbers behind
/// `KernelSettings.winogradTile(for:)` and `KernelSettings.defaultTile` (`srdist bench-conv`).
public enum ConvBenchmark {
    /// A kernel under test.
    public enum Kernel: String, CaseIterable, Sendable {
        case im2col, winogradF2 = "winograd-f2x2", winogradF4 = "winograd-f4x4", winogradF6 = "winograd-f6x6"
    }

    /// A timed pass: `backwardWeights` computes dWeight and dBias only (the head's
    /// backward), `backward` also dInput; backward-data alone is their difference.
    public enum Pass: String, CaseIterable, Sendable {
        case forward, backwardWeights = "backward-w", backward = "backward-all"

        /// Direct-convolution FLOPs of the pass: one convolution's worth per gradient.
        public func flops(_ s: Conv2dShape) -> Double { self == .backward ? 2 * s.flops : s.flops }
    }

    /// The layers of an EDSR training step (and MDSR's 5×5 pre-processing): baseline (F 64, batch 16 on one rank)
    /// and the paper's EDSR (F 256, 2 patches per rank), LR patch 48.
    public static let edsrLayers: [(name: String, shape: Conv2dShape)] = [
        ("head 3→64", Conv2dShape(n: 16, cin: 3, cout: 64, h: 48, w: 48, k: 3)),
        ("body 64→64", Conv2dShape(n: 16, cin: 64, cout: 64, h: 48, w: 48, k: 3)),
        ("up ×2 64→256", Conv2dShape(n: 16, cin: 64, cout: 256, h: 48, w: 48, k: 3)),
        ("tail 64→3 @96", Conv2dShape(n: 16, cin: 64, cout: 3, h: 96, w: 96, k: 3)),
        ("EDSR body 256→256 n2", Conv2dShape(n: 2, cin: 256, cout: 256, h: 48, w: 48, k: 3)),
        ("EDSR up 256→1024 n2", Conv2dShape(n: 2, cin: 256, cout: 1024, h: 48, w: 48, k: 3)),
        ("EDSR tail 256→3 @96 n2", Conv2dShape(n: 2, cin: 256, cout: 3, h: 96, w: 96, k: 3)),
        ("MDSR pre 5×5 64→64", Conv2dShape(n: 16, cin: 64, cout: 64, h: 48, w: 48, k: 5)),
    ]

    /// Median seconds of each (kernel, pass) over `repeats` rounds; every round runs
    /// each kernel's passes once, interleaved, after one untimed round.
    /// With `cpuTime`, the process's CPU seconds (all threads) instead of wall seconds:
    /// steadier on a machine shared with other work, and per core rather than per run.
    /// `context` gives the threads and the Winograd unit size (its algorithm and tile are
    /// not used: each kernel names its own).
    public static func time(_ s: Conv2dShape, kernels: [Kernel], repeats: Int, cpuTime: Bool = false,
                            context: KernelContext) -> [Kernel: [Pass: Double]] {
        let x = filled(s.inputCount, 0.5), wt = filled(s.weightCount, 0.01), b = filled(s.cout, 0.1)
        let y = filled(s.outputCount, 0), dy = filled(s.outputCount, 0.01), dx = filled(s.inputCount, 0)
        let dw = filled(s.weightCount, 0), db = filled(s.cout, 0)
        defer { for p in [x, wt, b, y, dy, dx, dw, db] { deallocateFloats(p) } }
        func run(_ k: Kernel, _ p: Pass) {
            let dInput = p == .backward ? dx : nil
            switch (k, p) {
            case (.im2col, .forward):
                im2colConv2dForward(output: y, input: x, weight: wt, bias: b, shape: s, context: context)
            case (.im2col, _):
                im2colConv2dBackward(dInput: dInput, dWeight: dw, dBias: db, dOutput: dy, input: x, weight: wt, shape: s,
                                     context: context)
            case (_, .forward):
                winogradConv2dForward(output: y, input: x, weight: wt, bias: b, shape: s, tile: k.tile(s), context: context)
            case (_, _):
                winogradConv2dBackward(dInput: dInput, dWeight: dw, dBias: db, dOutput: dy, input: x, weight: wt,
                                       shape: s, tile: k.tile(s), context: context)
            }
        }
        var times: [Kernel: [Pass: [Double]]] = [:]
        for round in 0...repeats {
            for k in kernels {
                for p in Pass.allCases {
                    let start = clock(cpuTime)
                    run(k, p)
                    if round > 0 { times[k, default: [:]][p, default: []].append(clock(cpuTime) - start) }
                }
            }
        }
        return times.mapValues { $0.mapValues(median) }
    }

    private static func clock(_ cpu: Bool) -> Double { cpu ? processCPUSeconds() : seconds(CLOCK_MONOTONIC) }

    private static func filled(_ count: Int, _ v: Float) -> UnsafeMutablePointer<Float> {
        let p = allocateFloats(count)
        p.initialize(repeating: v, count: count)
        return p
    }

    private static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}

extension ConvBenchmark.Kernel {
    /// The kernel's tile for `s`: 5×5 layers have only F(4×4, 5×5), so every Winograd
    /// column times it.
    func tile(_ s: Conv2dShape) -> WinogradTile {
        guard s.k == 3 else { return .f4x4k5 }
        switch self {
        case .winogradF2: return .f2x2
        case .winogradF6: return .f6x6
        default: return .f4x4
        }
    }
}

/// CPU seconds this process (all its threads) has used.
public func processCPUSeconds() -> Double { seconds(CLOCK_PROCESS_CPUTIME_ID) }

private func seconds(_ clock: clockid_t) -> Double {
    var t = timespec()
    clock_gettime(clock, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}
