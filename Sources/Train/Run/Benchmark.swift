import Foundation
import Convolution
import Kernels
import Machine
import Models

/// Timing of one workload: median seconds over the measured repetitions.
public struct BenchResult: Sendable {
    public var workload: String
    public var seconds: Double
    public var patchesPerSecond: Double
    /// Direct-convolution FLOPs of the work divided by `seconds`.
    public var gflops: Double
    public var peakRSSMegabytes: Double
    /// Median CPU seconds (all threads) per repetition: steadier than `seconds` on a
    /// shared or virtual machine, where other tenants take wall time but not CPU time.
    public var cpuSeconds: Double
    /// The BLAS that ran it and who chose its kernel (set by the command after its start-up check).
    public var blas = BLASReport.unchecked
    /// The Winograd loops' SIMD level (set by the command, like `blas`).
    public var simd = SIMDLevel.process
    /// What the convolutions read, `KernelSettings.precisionSummary` (set by the command, like `blas`).
    public var precision = Precision.fp32.rawValue

    public var json: String {
        String(format: "{\"workload\": \"%@\", \"seconds_per_step\": %.4f, \"cpu_seconds_per_step\": %.4f, \"patches_per_second\": %.3f, \"gflops\": %.2f, \"peak_rss_mb\": %.1f, "
               + "\"blas\": \"%@\", \"blas_kernel\": \"%@\", \"blas_origin\": \"%@\", \"simd\": \"%@\", \"precision\": \"%@\"}",
               workload, seconds, cpuSeconds, patchesPerSecond, gflops, peakRSSMegabytes,
               blas.library.description, blas.library.kernel, blas.origin.rawValue, simd.rawValue, precision)
    }
}

extension Config {
    /// This config on two generated images just large enough for its patches: timing
    /// needs no real images.
    public var withTimingData: Config {
        var cfg = self
        cfg.data.kind = .synthetic
        cfg.data.root = nil
        cfg.data.syntheticImages = 2
        cfg.data.syntheticSize = cfg.train.patchSize * cfg.model.scales.max()! + 8
        return cfg
    }
}

public enum Benchmark {
    /// Times full training steps (batch, forward, loss, backward, Adam) of `config`
    /// after `warmup` untimed ones; returns the median.
    public static func trainStep(_ trainer: Trainer, warmup: Int, steps: Int) throws -> BenchResult {
        let cfg = trainer.config
        for t in 0..<warmup { _ = try trainer.step(t) }
        var step = warmup
        let (seconds, cpu) = try timed(steps) {
            _ = try trainer.step(step)
            step += 1
        }
        let p = cfg.train.patchSize
        let flops = trainFlops(trainer.model, n: cfg.train.batchSize, h: p, w: p, scale: cfg.model.scales[0])
        return BenchResult(workload: "\(cfg.name) train batch \(cfg.train.batchSize) patch \(p)", seconds: seconds,
                           patchesPerSecond: Double(cfg.train.batchSize) / seconds, gflops: flops / seconds / 1e9,
                           peakRSSMegabytes: peakRSSMegabytes(), cpuSeconds: cpu)
    }

    /// Times inference (no activations kept) on one `size × size` image, whole or in
    /// `tile × tile` cores with `overlap` context (then peak memory follows the tile).
    public static func inference(_ model: SuperResolutionNetwork, scale: Int, size: Int, tile: Int? = nil, overlap: Int = 16,
                                 warmup: Int, steps: Int) -> BenchResult {
        let input = [Float](repeating: 100, count: 3 * size * size)
        let upscaler = Upscaler(model, scale: scale)
        func once() { _ = upscaler.upscale(input, h: size, w: size, tile: tile, overlap: overlap) }
        for _ in 0..<warmup { once() }
        let (seconds, cpu) = timed(steps, once)
        let flops = model.convShapes(n: 1, h: size, w: size, scale: scale).reduce(0.0) { $0 + $1.flops }
        let tiling = tile.map { " tile \($0)" } ?? ""
        return BenchResult(workload: "\(model.arch) x\(scale) (\(model.layout.count) parameters) inference \(size)x\(size)\(tiling)",
                           seconds: seconds, patchesPerSecond: 1 / seconds, gflops: flops / seconds / 1e9,
                           peakRSSMegabytes: peakRSSMegabytes(), cpuSeconds: cpu)
    }

    /// Median wall and CPU seconds of `repetitions` runs of `body`.
    static func timed(_ repetitions: Int, _ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
        var wall: [Double] = [], cpu: [Double] = []
        for _ in 0..<repetitions {
            let (start, cpuStart) = (DispatchTime.now().uptimeNanoseconds, processCPUSeconds())
            try body()
            wall.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            cpu.append(processCPUSeconds() - cpuStart)
        }
        return (median(wall), median(cpu))
    }

    /// Forward + backward-weights for every conv, backward-data for all but the head
    /// (the input needs no gradient) — what PyTorch computes for the same step.
    static func trainFlops(_ model: SuperResolutionNetwork, n: Int, h: Int, w: Int, scale: Int) -> Double {
        model.convShapes(n: n, h: h, w: w, scale: scale).enumerated().reduce(0.0) { total, item in
            total + item.element.flops * (item.offset == 0 ? 2 : 3)
        }
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}

/// Peak resident set size of this process (VmHWM), in MiB.
public func peakRSSMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kb = Double(line.split(separator: " ", omittingEmptySubsequences: true)[1]) else { return 0 }
    return kb / 1024
}
