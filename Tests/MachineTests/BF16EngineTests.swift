import Machine
import XCTest

/// The bf16 dispatch as a pure function of (CPU features, Linux's AMX grant, SRDIST_BF16):
/// AMX → AVX512-BF16 → none, a forced lower path, and the one-line refusals.
final class BF16EngineTests: XCTestCase {
    static let avx512: Set<CPUFeatures.Feature> = [.sse3, .avx, .fma, .avx2, .avx512f, .avx512dq, .avx512cd, .avx512bw, .avx512vl]
    let zen3 = CPUFeatures(vendor: .amd, family: 25, model: 1, features: [.sse3, .avx, .fma, .avx2])
    let zen4 = CPUFeatures(vendor: .amd, family: 25, model: 17, features: avx512.union([.avx512vnni, .avx512bf16]))
    let sapphireRapids = CPUFeatures(vendor: .intel, family: 6, model: 143,
                                     features: avx512.union([.avx512vnni, .avx512bf16, .avx512fp16, .amx, .amxbf16]))

    func refusal(_ forced: String?, _ cpu: CPUFeatures, amxGranted: Bool = true) -> String? {
        if case let .failure(refusal) = BF16Engine.select(forced: forced, cpu: cpu, amxGranted: amxGranted) { return refusal.message }
        return nil
    }

    func testBestISAIsAMXThenAVX512BF16ThenNone() {
        XCTAssertEqual(BF16ISA.best(on: sapphireRapids, amxGranted: true), .amx)
        XCTAssertEqual(BF16ISA.best(on: sapphireRapids, amxGranted: false), .avx512bf16)
        XCTAssertEqual(BF16ISA.best(on: zen4, amxGranted: true), .avx512bf16)
        XCTAssertNil(BF16ISA.best(on: zen3, amxGranted: true))
        // AVX512-BF16 reported without the AVX-512 base state (XCR0) does not count.
        XCTAssertNil(BF16ISA.best(on: CPUFeatures(vendor: .intel, features: [.avx2, .fma, .avx512bf16]), amxGranted: true))
    }

    /// A CPU with neither ISA: one line naming the CPU and what it lacks.
    func testCPUWithoutBF16IsRefused() {
        XCTAssertEqual(refusal(nil, zen3), "this AMD family 25 model 1 (AVX2) has neither AMX-BF16 nor AVX512-BF16, which bf16 needs; use fp32")
        XCTAssertEqual(refusal("", zen3), refusal(nil, zen3))
    }

    /// The hardware ISAs are detected, but no engine for them is built yet: refused, not run in fp32.
    func testHardwareISAIsRefusedUntilItsEngineIsBuilt() {
        XCTAssertEqual(refusal(nil, sapphireRapids), "this Intel family 6 model 143 (AVX-512 + BF16) has AMX-BF16; "
                       + "srdist's AMX-BF16 convolution engine is not built yet; use fp32")
        XCTAssertEqual(refusal(nil, sapphireRapids, amxGranted: false), "this Intel family 6 model 143 (AVX-512 + BF16) has "
                       + "AVX512-BF16; srdist's AVX512-BF16 convolution engine is not built yet; use fp32")
        XCTAssertEqual(refusal(nil, zen4), "this AMD family 25 model 17 (AVX-512 + BF16) has AVX512-BF16; "
                       + "srdist's AVX512-BF16 convolution engine is not built yet; use fp32")
    }

    /// The switch: a lower path (or the same), the reference engine anywhere, none, or a refusal.
    func testSwitchForcesALowerPath() {
        XCTAssertEqual(try BF16Engine.select(forced: "reference", cpu: zen3, amxGranted: false).get(), .reference)
        XCTAssertEqual(try BF16Engine.select(forced: "REFERENCE", cpu: sapphireRapids, amxGranted: true).get(), .reference)
        XCTAssertEqual(refusal("avx512bf16", sapphireRapids), refusal(nil, sapphireRapids, amxGranted: false))
        XCTAssertEqual(refusal("amx", sapphireRapids), refusal(nil, sapphireRapids))
        XCTAssertEqual(refusal("none", sapphireRapids), "SRDIST_BF16=none refuses bf16 on this Intel family 6 model 143 "
                       + "(AVX-512 + BF16), as on a CPU without AMX-BF16 or AVX512-BF16")
    }

    /// A path beyond the CPU, or not a path at all: one line naming the variable.
    func testImpossibleOrUnknownSwitchIsRefused() {
        XCTAssertEqual(refusal("amx", zen4), "SRDIST_BF16=amx, but this AMD family 25 model 17 (AVX-512 + BF16) lacks AMX-BF16")
        XCTAssertEqual(refusal("amx", sapphireRapids, amxGranted: false), "SRDIST_BF16=amx, but this Intel family 6 model 143 "
                       + "(AVX-512 + BF16) lacks AMX-BF16 (Linux did not grant the AMX tile data)")
        XCTAssertEqual(refusal("avx512bf16", zen3), "SRDIST_BF16=avx512bf16, but this AMD family 25 model 1 (AVX2) lacks AVX512-BF16")
        XCTAssertEqual(refusal("fp16", zen3), "SRDIST_BF16=fp16 is not a bf16 path; use one of amx, avx512bf16, reference, none "
                       + "or leave it unset")
    }
}
