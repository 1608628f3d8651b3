import ArgumentParser
import Foundation
import Convolution
import Kernels
import Machine

/// `srdist bench-conv`: times forward and backward of the EDSR layer shapes with
/// im2col and each Winograd tile, interleaved, medians.
extension ConvBenchmark.Kernel: ExpressibleByArgument {}

struct BenchConvCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-conv",
        abstract: "Time each convolution pass of the EDSR layer shapes with im2col and Winograd: ms and effective GFLOPS.")

    /// Timed rounds; each runs every kernel's passes once, interleaved.
    @Option(help: "Timed rounds (the median is reported).")
    var repeats = 5

    /// Threads for this process (default: OMP_NUM_THREADS or all cores).
    @Option(help: "Threads (default: OMP_NUM_THREADS or all cores).")
    var threads: Int?

    /// Only layers whose name contains this text.
    @Option(help: "Only layers whose name contains this text (e.g. \"body\").")
    var only: String?

    /// Kernels to time (default: all).
    @Option(name: .customLong("kernel"), help: ArgumentHelp("Time only this kernel (repeatable).",
                                                           valueName: ConvBenchmark.Kernel.allCases.map(\.rawValue).joined(separator: "|")))
    var kernels: [ConvBenchmark.Kernel] = ConvBenchmark.Kernel.allCases

    /// Tiles per Winograd work unit (0: whole images).
    @Option(help: "Tiles per Winograd work unit (0: whole images).")
    var unitTiles = KernelSettings.defaultUnitTiles

    /// Report CPU seconds of all threads instead of wall seconds.
    @Flag(help: "Report process CPU time (all threads) instead of wall time: steadier on a shared machine.")
    var cpuTime = false

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        guard unitTiles >= 0 else { throw ValidationError("--unit-tiles must not be negative") }
    }

    func run() throws {
        let blas = try startUpCheck()
        let env = ProcessInfo.processInfo.environment["OMP_NUM_THREADS"].flatMap { Int($0) }
        let context = KernelContext(KernelSettings(threads: threads ?? env ?? ProcessInfo.processInfo.activeProcessorCount,
                                                   unitTiles: unitTiles))
        warnSlowerSetting(blas)
        print("BLAS \(blas.summary)")
        print("threads \(context.threads), medians of \(repeats) interleaved rounds; \(cpuTime ? "CPU" : "wall") ms (effective GFLOPS = direct-conv FLOPs / time)")
        print(pad("layer", 24) + pad("pass", 14) + kernels.map { pad($0.rawValue, 18) }.joined() + (kernels.contains(.im2col) ? "best speed-up" : ""))
        for (name, s) in ConvBenchmark.edsrLayers where only.map({ name.contains($0) }) ?? true {
            let t = ConvBenchmark.time(s, kernels: kernels, repeats: repeats, cpuTime: cpuTime, context: context)
            for p in ConvBenchmark.Pass.allCases {
                let cells = kernels.map { k -> String in
                    let sec = t[k]![p]!
                    return pad(String(format: "%.1f (%.0f)", sec * 1e3, p.flops(s) / sec / 1e9), 18)
                }
                print(pad(name, 24) + pad(p.rawValue, 14) + cells.joined()
                      + (t[.im2col].map { String(format: "%.2f×", $0[p]! / kernels.map { t[$0]![p]! }.min()!) } ?? ""))
            }
        }
    }

    private func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
}
