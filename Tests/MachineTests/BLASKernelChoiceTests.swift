import Machine
import XCTest

/// The start-up decision's table: CPU × kernel OpenBLAS runs × user setting × rejected → action.
final class BLASKernelChoiceTests: XCTestCase {
    static let avx512: Set<CPUFeatures.Feature> = [.sse3, .avx, .fma, .avx2, .avx512f, .avx512dq, .avx512cd, .avx512bw, .avx512vl]
    let emeraldRapids = CPUFeatures(vendor: .intel, family: 6, model: 207, features: avx512.union([.avx512vnni, .avx512bf16, .avx512fp16, .amx]))
    /// Zen 5 EPYC as seen here: OpenBLAS 0.3.21 picks Cooperlake itself; the machine sets Haswell.
    let zen5 = CPUFeatures(vendor: .amd, family: 26, model: 2, features: avx512.union([.avx512vnni, .avx512bf16]))
    let skylakeSP = CPUFeatures(vendor: .intel, family: 6, model: 85, features: avx512)
    let zen3 = CPUFeatures(vendor: .amd, family: 25, model: 1, features: [.sse3, .avx, .fma, .avx2])
    let haswell = CPUFeatures(vendor: .intel, family: 6, model: 63, features: [.sse3, .avx, .fma, .avx2])
    let sandyBridge = CPUFeatures(vendor: .intel, family: 6, model: 42, features: [.sse3, .avx])
    let core2 = CPUFeatures(vendor: .intel, family: 6, model: 15, features: [.sse3])
    /// AVX-512F alone (Knights Landing-like) is not what SkylakeX kernels assume.
    let partialAVX512 = CPUFeatures(vendor: .intel, family: 6, model: 87, features: [.sse3, .avx, .fma, .avx2, .avx512f, .avx512cd])

    func choose(_ cpu: CPUFeatures, _ kernel: String, user: String? = nil, rejected: [String] = [], enabled: Bool = true) -> BLASAction {
        chooseBLASKernel(cpu: cpu, kernel: kernel, userCoreType: user, rejected: rejected, enabled: enabled)
    }

    func testOldKernelOnNewerCPUIsReplacedByTheBestCandidate() {
        XCTAssertEqual(choose(emeraldRapids, "Prescott"), .reexec(coreType: "Cooperlake"))
        XCTAssertEqual(choose(skylakeSP, "Prescott"), .reexec(coreType: "SkylakeX"))
        XCTAssertEqual(choose(skylakeSP, "Haswell"), .reexec(coreType: "SkylakeX"))
        XCTAssertEqual(choose(zen3, "Prescott"), .reexec(coreType: "Zen"))
        XCTAssertEqual(choose(zen3, "Sandybridge"), .reexec(coreType: "Zen"))
        XCTAssertEqual(choose(haswell, "Nehalem"), .reexec(coreType: "Haswell"))
        XCTAssertEqual(choose(sandyBridge, "Core2"), .reexec(coreType: "Sandybridge"))
        XCTAssertEqual(choose(partialAVX512, "Prescott"), .reexec(coreType: "Haswell"))
        XCTAssertEqual(choose(emeraldRapids, "prescott"), .reexec(coreType: "Cooperlake"), "core names compare in any case")
    }

    func testKernelAsGoodAsTheCPUIsKept() {
        XCTAssertEqual(choose(emeraldRapids, "Cooperlake"), .keep)
        XCTAssertEqual(choose(emeraldRapids, "SkylakeX"), .keep, "same AVX-512 sgemm: not worth a restart")
        XCTAssertEqual(choose(skylakeSP, "SkylakeX"), .keep)
        XCTAssertEqual(choose(zen5, "Cooperlake"), .keep)
        XCTAssertEqual(choose(zen3, "Haswell"), .keep)
        XCTAssertEqual(choose(haswell, "Zen"), .keep)
        XCTAssertEqual(choose(core2, "Core2"), .keep)
        XCTAssertEqual(choose(core2, "Prescott"), .keep, "an SSE CPU has no better kernel")
        XCTAssertEqual(choose(haswell, "SkylakeX"), .keep, "a newer kernel than the CPU is OpenBLAS's business")
    }

    func testUnknownKernelIsTrusted() {
        XCTAssertEqual(choose(emeraldRapids, "ARMV8"), .keep)
        XCTAssertEqual(choose(emeraldRapids, "Zen5Future"), .keep)
    }

    func testUserSettingIsKeptAndWarnedAboutWhenSlower() {
        XCTAssertEqual(choose(emeraldRapids, "Prescott", user: "Prescott"), .keepUserSetting(better: "Cooperlake"))
        XCTAssertEqual(choose(skylakeSP, "Haswell", user: "haswell"), .keepUserSetting(better: "SkylakeX"))
        XCTAssertEqual(choose(zen5, "Haswell", user: "Haswell"), .keepUserSetting(better: "Cooperlake"))
        XCTAssertEqual(choose(emeraldRapids, "SkylakeX", user: "SkylakeX"), .keepUserSetting(better: nil))
        XCTAssertEqual(choose(core2, "Core2", user: "Core2"), .keepUserSetting(better: nil))
        // A setting OpenBLAS ignored (unknown name) is still the user's: judged by what runs.
        XCTAssertEqual(choose(emeraldRapids, "Cooperlake", user: "Bogus"), .keepUserSetting(better: nil))
    }

    func testRejectedCandidatesAreSkippedThenOpenBLASsChoiceStays() {
        XCTAssertEqual(choose(emeraldRapids, "Prescott", rejected: ["Cooperlake"]), .reexec(coreType: "SkylakeX"))
        XCTAssertEqual(choose(emeraldRapids, "Prescott", rejected: ["cooperlake", "SkylakeX"]), .reexec(coreType: "Haswell"))
        XCTAssertEqual(choose(emeraldRapids, "Prescott", rejected: ["Cooperlake", "SkylakeX", "Haswell"]), .keepAfterRejections)
        XCTAssertEqual(choose(zen3, "Prescott", rejected: ["Zen", "Haswell"]), .keepAfterRejections)
        // Only a kernel better than the one in use is worth a restart.
        XCTAssertEqual(choose(emeraldRapids, "Haswell", rejected: ["Cooperlake", "SkylakeX"]), .keepAfterRejections)
    }

    /// A kernel that failed its check is replaced whoever picked it, Prescott last; a user's is refused.
    func testFailingKernelIsReplacedNeverRun() {
        XCTAssertEqual(replaceFailingKernel(cpu: zen5, kernel: "Cooperlake", userCoreType: nil), .reexec(coreType: "SkylakeX"))
        XCTAssertEqual(replaceFailingKernel(cpu: zen5, kernel: "Cooperlake", userCoreType: nil, rejected: ["skylakex"]),
                       .reexec(coreType: "Haswell"))
        XCTAssertEqual(replaceFailingKernel(cpu: zen5, kernel: "Haswell", userCoreType: nil, rejected: ["Cooperlake", "SkylakeX"]),
                       .reexec(coreType: "Prescott"))
        XCTAssertEqual(replaceFailingKernel(cpu: zen5, kernel: "Prescott", userCoreType: nil, rejected: ["Cooperlake", "SkylakeX", "Haswell"]),
                       .noCorrectKernel)
        XCTAssertEqual(replaceFailingKernel(cpu: core2, kernel: "Core2", userCoreType: nil), .reexec(coreType: "Prescott"))
        XCTAssertEqual(replaceFailingKernel(cpu: zen5, kernel: "Haswell", userCoreType: "Haswell"), .refuseUserSetting)
        XCTAssertTrue(BLASAction.keep.runsKernelInUse && BLASAction.keepUserSetting(better: nil).runsKernelInUse
                      && BLASAction.keepAfterRejections.runsKernelInUse)
        XCTAssertFalse(BLASAction.reexec(coreType: "Haswell").runsKernelInUse || BLASAction.disabled.runsKernelInUse)
    }

    func testSwitchOffWins() {
        XCTAssertEqual(choose(emeraldRapids, "Prescott", enabled: false), .disabled)
        XCTAssertEqual(choose(emeraldRapids, "Prescott", user: "Prescott", enabled: false), .disabled)
    }

    func testLevels() {
        XCTAssertEqual(KernelLevel(cpu: emeraldRapids), .avx512)
        XCTAssertEqual(KernelLevel(cpu: partialAVX512), .avx2)
        XCTAssertEqual(KernelLevel(cpu: sandyBridge), .avx)
        XCTAssertEqual(SIMDLevel(cpu: emeraldRapids), .avx512)
        XCTAssertEqual(SIMDLevel(cpu: zen3), .avx2)
        XCTAssertEqual(SIMDLevel(cpu: sandyBridge), .generic)
        XCTAssertEqual(KernelLevel(openBLASCore: "Excavator"), .avx)
        XCTAssertNil(KernelLevel(openBLASCore: "NEOVERSEN1"))
    }
}
