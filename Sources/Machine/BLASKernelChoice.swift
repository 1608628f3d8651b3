/// The widest vector instructions an OpenBLAS kernel family uses, oldest first.
public enum KernelLevel: Int, Comparable, Sendable, CustomStringConvertible {
    case sse, avx, avx2, avx512

    public static func < (a: KernelLevel, b: KernelLevel) -> Bool { a.rawValue < b.rawValue }

    /// The level of an OpenBLAS x86-64 core name (`openblas_get_corename`, any case);
    /// nil for names srdist does not know (other architectures, newer OpenBLAS).
    public init?(openBLASCore name: String) {
        switch name.lowercased() {
        case "katmai", "coppermine", "northwood", "prescott", "banias", "atom", "core2", "penryn", "dunnington",
             "nehalem", "athlon", "opteron", "opteron_sse3", "barcelona", "nano":
            self = .sse
        // Bulldozer's descendants have FMA but OpenBLAS's kernels for them are AVX-class.
        case "sandybridge", "bulldozer", "piledriver", "steamroller", "excavator":
            self = .avx
        case "haswell", "zen":
            self = .avx2
        case "skylakex", "cooperlake", "sapphirerapids":
            self = .avx512
        default:
            return nil
        }
    }

    /// The widest level `cpu` runs.
    public init(cpu: CPUFeatures) {
        self = cpu.hasAVX512 ? .avx512 : cpu.hasAVX2 ? .avx2 : cpu.has(.avx) ? .avx : .sse
    }

    public var description: String {
        switch self {
        case .sse: "SSE"
        case .avx: "AVX"
        case .avx2: "AVX2"
        case .avx512: "AVX-512"
        }
    }
}

/// What the start-up check does about OpenBLAS's kernel.
public enum BLASAction: Equatable, Sendable {
    /// The check is switched off (`SRDIST_BLAS_CHECK=0`).
    case disabled
    /// OpenBLAS's own choice is as good as this CPU allows, or srdist knows no better one.
    case keep
    /// `OPENBLAS_CORETYPE` was set by the user: kept. `better` names a faster core type
    /// this CPU could run (the warning's suggestion), nil when the setting is the best.
    case keepUserSetting(better: String?)
    /// Start srdist again with `OPENBLAS_CORETYPE` set to this core type.
    case reexec(coreType: String)
    /// Every core type srdist could pick was tried and rejected: OpenBLAS's choice stays (warn).
    case keepAfterRejections
    /// The user's `OPENBLAS_CORETYPE` runs a kernel that failed its sgemm check: refuse to
    /// compute with it rather than train on wrong gradients.
    case refuseUserSetting
    /// Every kernel srdist could try failed its check.
    case noCorrectKernel

    /// Whether the process goes on with the kernel it runs now (so that kernel must pass
    /// its check first).
    public var runsKernelInUse: Bool {
        switch self {
        case .keep, .keepUserSetting, .keepAfterRejections: true
        case .disabled, .reexec, .refuseUserSetting, .noCorrectKernel: false
        }
    }
}

/// OpenBLAS core types that run well on `cpu`, best first: the ones srdist may pick.
/// Cooperlake is SkylakeX plus bfloat16 kernels (same sgemm); Zen is Haswell's
/// kernels tuned for AMD's caches.
public func openBLASCandidates(for cpu: CPUFeatures) -> [String] {
    switch KernelLevel(cpu: cpu) {
    case .avx512: cpu.has(.avx512bf16) ? ["Cooperlake", "SkylakeX", "Haswell"] : ["SkylakeX", "Haswell"]
    case .avx2: cpu.vendor == .amd ? ["Zen", "Haswell"] : ["Haswell"]
    case .avx: ["Sandybridge"]
    case .sse: []
    }
}

/// The start-up decision, a pure function of what the process sees.
/// - Parameters:
///   - cpu: this CPU's features.
///   - kernel: the core name OpenBLAS runs now (`openblas_get_corename`).
///   - userCoreType: `OPENBLAS_CORETYPE` when the user (not srdist) set it.
///   - rejected: core types srdist already tried in this start-up and rejected.
///   - enabled: false when `SRDIST_BLAS_CHECK=0`.
/// - Returns: keep the kernel, warn about the user's setting, or re-execute with a better one.
public func chooseBLASKernel(cpu: CPUFeatures, kernel: String, userCoreType: String?, rejected: [String] = [],
                             enabled: Bool = true) -> BLASAction {
    guard enabled else { return .disabled }
    let cpuLevel = KernelLevel(cpu: cpu)
    let candidates = openBLASCandidates(for: cpu)
    // A kernel whose name srdist does not know (another architecture, a newer OpenBLAS)
    // is trusted as it is.
    guard let inUse = KernelLevel(openBLASCore: kernel), inUse < cpuLevel, let best = candidates.first else {
        return userCoreType == nil ? .keep : .keepUserSetting(better: nil)
    }
    if userCoreType != nil { return .keepUserSetting(better: best) }
    let untried = candidates.filter { c in !rejected.contains { $0.lowercased() == c.lowercased() } }
    // Only kernels better than the one in use are worth a restart.
    guard let next = untried.first(where: { KernelLevel(openBLASCore: $0)! > inUse }) else {
        return rejected.isEmpty ? .keep : .keepAfterRejections
    }
    return .reexec(coreType: next)
}

/// The decision when the kernel in use failed its sgemm check, whoever picked it: another
/// core type, best first and Prescott (the plainest SSE3 kernels) last, never one already
/// rejected; a wrong kernel is never run.
/// - Parameters:
///   - kernel: the failing kernel OpenBLAS runs now.
///   - rejected: core types rejected before in this start-up.
public func replaceFailingKernel(cpu: CPUFeatures, kernel: String, userCoreType: String?, rejected: [String] = []) -> BLASAction {
    if userCoreType != nil { return .refuseUserSetting }
    let excluded = Set((rejected + [kernel]).map { $0.lowercased() })
    guard let next = (openBLASCandidates(for: cpu) + ["Prescott"]).first(where: { !excluded.contains($0.lowercased()) }) else {
        return .noCorrectKernel
    }
    return .reexec(coreType: next)
}
