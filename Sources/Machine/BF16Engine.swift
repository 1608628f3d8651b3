import CCPUID
import Foundation

/// The bf16 instruction sets a CPU may offer for convolutions, best first: AMX tiles
/// (`tdpbf16ps`), then AVX512-BF16 (`vdpbf16ps`). Both read bf16 pairs and accumulate in fp32.
public enum BF16ISA: String, CaseIterable, Sendable {
    case amx, avx512bf16

    /// The name CPU vendors use, for messages.
    public var label: String { self == .amx ? "AMX-BF16" : "AVX512-BF16" }

    /// The best bf16 ISA `cpu` runs, or nil: AMX needs AMX-TILE, AMX-BF16 and Linux's
    /// permission for the tile data (`amxGranted`); AVX512-BF16 also needs the AVX-512
    /// base it extends.
    public static func best(on cpu: CPUFeatures, amxGranted: Bool) -> BF16ISA? {
        if cpu.has(.amx) && cpu.has(.amxbf16) && amxGranted { return .amx }
        if cpu.hasAVX512 && cpu.has(.avx512bf16) { return .avx512bf16 }
        return nil
    }
}

/// What computes srdist's bf16 convolutions (`train.precision: "bf16"`, `--precision bf16`).
///
/// No AMX or AVX512-BF16 engine exists: on a CPU that has one of those
/// ISAs, bf16 is refused with a line saying so, exactly as on a CPU that has neither. The
/// one engine there is, `reference`, runs on any CPU and is chosen only when
/// `SRDIST_BF16=reference` asks for it, for tests: never in place of a hardware engine.
public enum BF16Engine: String, CaseIterable, Sendable {
    /// fp32 im2col + sgemm on inputs rounded to bf16 (round to nearest, ties to even):
    /// the product of two bf16 values is exact in fp32, so this has the hardware
    /// engines' numerics (bf16 inputs, fp32 accumulation) up to summation order, at
    /// fp32 speed plus the rounding passes.
    case reference

    /// The environment variable that forces a bf16 path: `amx`, `avx512bf16` (a lower
    /// path than the CPU's best, or the same), `reference` (the reference engine on any
    /// CPU, for tests) or `none` (refuse bf16 as on a CPU without it, for tests).
    public static let environmentKey = "SRDIST_BF16"

    /// The values `environmentKey` takes.
    public static let switchValues = BF16ISA.allCases.map(\.rawValue) + [BF16Engine.reference.rawValue, "none"]

    /// The engine for bf16 on `cpu` with `forced` as `SRDIST_BF16`: the CPU's best ISA
    /// (AMX → AVX512-BF16 → none) unless a lower path is forced. A CPU with neither, a
    /// forced path it lacks, an unknown switch value and an ISA whose engine is not
    /// built are each one line of refusal; bf16 never quietly runs in fp32.
    /// - Parameter amxGranted: Linux granted the AMX tile data (`ccpuid_request_amx`).
    public static func select(forced: String?, cpu: CPUFeatures, amxGranted: Bool) -> Result<BF16Engine, BF16Refusal> {
        let best = BF16ISA.best(on: cpu, amxGranted: amxGranted)
        let isa: BF16ISA
        switch forced?.lowercased() {
        case nil, "":
            guard let best else { return .failure(lacking(cpu, amxPresent: cpu.has(.amx) && cpu.has(.amxbf16))) }
            isa = best
        case BF16Engine.reference.rawValue?:
            return .success(.reference)
        case "none"?:
            return .failure(BF16Refusal(message: "\(environmentKey)=none refuses bf16 on this \(cpu), as on a CPU without AMX-BF16 or AVX512-BF16"))
        case let name?:
            guard let asked = BF16ISA(rawValue: name) else {
                return .failure(BF16Refusal(message: "\(environmentKey)=\(forced!) is not a bf16 path; use one of "
                                            + "\(switchValues.joined(separator: ", ")) or leave it unset"))
            }
            // AMX only where it is the best; AVX512-BF16 wherever the CPU has it (AMX CPUs may lack it).
            let runs = asked == .amx ? best == .amx : cpu.hasAVX512 && cpu.has(.avx512bf16)
            guard runs else {
                return .failure(BF16Refusal(message: "\(environmentKey)=\(forced!), but this \(cpu) lacks \(asked.label)"
                                            + (asked == .amx && cpu.has(.amxbf16) ? " (Linux did not grant the AMX tile data)" : "")))
            }
            isa = asked
        }
        return .failure(BF16Refusal(message: "this \(cpu) has \(isa.label); srdist's \(isa.label) convolution engine "
                                    + "is not built yet; use fp32"))
    }

    /// A CPU without a usable bf16 ISA: what it lacks, and why AMX did not count if it has it.
    private static func lacking(_ cpu: CPUFeatures, amxPresent: Bool) -> BF16Refusal {
        let amx = amxPresent ? "AMX-BF16 granted by Linux (it refused the tile data)" : "AMX-BF16"
        return BF16Refusal(message: "this \(cpu) has neither \(amx) nor AVX512-BF16, which bf16 needs; use fp32")
    }

    /// `select` for this process: its CPU, its `SRDIST_BF16` in `environment`, and Linux's
    /// AMX permission, requested once and only on a CPU with AMX-BF16.
    public static func forProcess(environment: [String: String] = ProcessInfo.processInfo.environment) -> Result<BF16Engine, BF16Refusal> {
        select(forced: environment[environmentKey], cpu: .current, amxGranted: amxPermission)
    }

    private static let amxPermission = CPUFeatures.current.has(.amxbf16) && ccpuid_request_amx()
}

/// Why bf16 cannot run here; its message is the one line printed after the setting's name.
public struct BF16Refusal: Error, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
