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
                                (.avx512vl, "avx512vl"), (.avx512bf16, "avx512_bf16"), (.avx512vnni, "avx512_vnni")] {
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
    func testBuildLevelBeyondTheCPUIsNamed() {
        let sandyBridge = CPUFeatures(vendor: .intel, family: 6, model: 42, features: [.sse3, .avx])
        let haswell = CPUFeatures(vendor: .intel, family: 6, model: 63, features: [.sse3, .avx, .fma, .avx2])
        XCTAssertEqual(SIMDLevel.avx2.unsupported(on: sandyBridge),
                       "this srdist was built for avx2 (Package.swift's -target-cpu) but this Intel family 6 model 42 (AVX) lacks it; "
                       + "rebuild with SRDIST_TARGET_CPU=generic swift build -c release")
        XCTAssertNil(SIMDLevel.avx2.unsupported(on: haswell))
        XCTAssertNil(SIMDLevel.generic.unsupported(on: sandyBridge))
        XCTAssertNotNil(SIMDLevel.avx512.unsupported(on: haswell))
    }
}
