import Machine
import XCTest

/// The live readings: CPUID and the loaded OpenBLAS.
final class MachineTests: XCTestCase {
    func testLoadedBLASDescribesItself() {
        let blas = BLASLibrary.loaded
        XCTAssertEqual(blas.name, "OpenBLAS")
        XCTAssertTrue(blas.version.first?.isNumber ?? false, blas.version)
        XCTAssertFalse(blas.kernel.isEmpty)
        XCTAssertEqual(BLASLibrary(config: "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Prescott MAX_THREADS=64", coreName: "Prescott"),
                       BLASLibrary(name: "OpenBLAS", version: "0.3.21", kernel: "Prescott"))
    }

    /// This process's CPUID agrees with the kernel's view in /proc/cpuinfo.
    func testCPUFeaturesMatchProcCPUInfo() throws {
        #if arch(x86_64)
        let info = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = Set(info.split(separator: "\n").first { $0.hasPrefix("flags") }!.split(separator: " ").map(String.init))
        let cpu = CPUFeatures.current
        for (feature, flag) in [(CPUFeatures.Feature.avx2, "avx2"), (.fma, "fma"), (.avx512f, "avx512f"), (.avx512bw, "avx512bw"),
                                (.avx512vl, "avx512vl"), (.avx512bf16, "avx512_bf16"), (.avx512vnni, "avx512_vnni"),
                                (.amx, "amx_tile"), (.amxbf16, "amx_bf16")] {
            XCTAssertEqual(cpu.has(feature), flags.contains(flag), flag)
        }
        XCTAssertNotEqual(cpu.family, 0)
        #endif
    }

    func testLoadedSgemmMatchesPlainLoop() {
        XCTAssertTrue(sgemmMatchesPlainLoop())
    }
}

/// A build for a SIMD level the CPU lacks is refused with a line instead of SIGILL.
final class SIMDLevelTests: XCTestCase {
    let sandyBridge = CPUFeatures(vendor: .intel, family: 6, model: 42, features: [.sse3, .avx])
    let haswell = CPUFeatures(vendor: .intel, family: 6, model: 63, features: [.sse3, .avx, .fma, .avx2])
    let skylakeSP = CPUFeatures(vendor: .intel, family: 6, model: 85,
                                features: [.sse3, .avx, .fma, .avx2, .avx512f, .avx512dq, .avx512cd, .avx512bw, .avx512vl])

    /// Unset (or empty) SRDIST_SIMD: the CPU's widest level.
    func testDefaultIsTheWidestTheCPURuns() {
        XCTAssertEqual(try SIMDLevel.select(forced: nil, cpu: sandyBridge).get(), .generic)
        XCTAssertEqual(try SIMDLevel.select(forced: nil, cpu: haswell).get(), .avx2)
        XCTAssertEqual(try SIMDLevel.select(forced: "", cpu: skylakeSP).get(), .avx512)
        XCTAssertEqual(SIMDLevel.supported(on: haswell), [.generic, .avx2])
        XCTAssertEqual(SIMDLevel.supported(on: skylakeSP), SIMDLevel.allCases)
    }

    /// A forced level at or below the CPU's is taken as asked (any case).
    func testForcedLevelIsKept() {
        XCTAssertEqual(try SIMDLevel.select(forced: "generic", cpu: skylakeSP).get(), .generic)
        XCTAssertEqual(try SIMDLevel.select(forced: "AVX2", cpu: skylakeSP).get(), .avx2)
        XCTAssertEqual(try SIMDLevel.select(forced: "avx2", cpu: haswell).get(), .avx2)
    }

    /// Beyond the CPU, or not a level: one line naming the variable, value and CPU.
    func testImpossibleOrUnknownLevelIsRefused() {
        func refusal(_ forced: String) -> String? {
            if case let .failure(error) = SIMDLevel.select(forced: forced, cpu: haswell) { return error.message }
            return nil
        }
        XCTAssertEqual(refusal("avx512"), "SRDIST_SIMD=avx512, but this Intel family 6 model 63 (AVX2) lacks it; the widest it runs is avx2")
        XCTAssertEqual(refusal("sse9"), "SRDIST_SIMD=sse9 is not a SIMD level; use one of generic, avx2, avx512 or leave it unset")
    }
}
