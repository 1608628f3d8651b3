import CCPUID

/// What this CPU can run, read once with CPUID: the input of the start-up BLAS check
/// and of the SIMD level srdist's own loops use. AVX and AVX-512 count only when the
/// operating system also saves their registers.
public struct CPUFeatures: Equatable, Sendable, CustomStringConvertible {
    public enum Vendor: String, Sendable { case intel = "Intel", amd = "AMD", other = "x86-64" }

    /// The instruction-set extensions srdist looks at (`amx`: AMX-TILE, `amxbf16`:
    /// AMX-BF16; both only when XCR0 has the tile state).
    public enum Feature: String, CaseIterable, Sendable {
        case sse3, avx, fma, avx2, avx512f, avx512dq, avx512cd, avx512bw, avx512vl, avx512vnni, avx512bf16, avx512fp16, amx, amxbf16
    }

    public var vendor: Vendor
    /// Display family and model (Intel family 6 model 207: Emerald Rapids).
    public var family: Int
    public var model: Int
    public var features: Set<Feature>

    public init(vendor: Vendor, family: Int = 0, model: Int = 0, features: Set<Feature>) {
        (self.vendor, self.family, self.model, self.features) = (vendor, family, model, features)
    }

    /// This machine's CPU (CPUID does not change while a process runs).
    public static let current: CPUFeatures = {
        let vendor: Vendor = switch ccpuid_vendor() { case 1: .intel; case 2: .amd; default: .other }
        return CPUFeatures(vendor: vendor, family: Int(ccpuid_family()), model: Int(ccpuid_model()),
                           features: Set(Feature.allCases.filter { ccpuid_has($0.ccpuid) }))
    }()

    public func has(_ feature: Feature) -> Bool { features.contains(feature) }

    /// AVX2 with FMA, as OpenBLAS's Haswell/Zen kernels and srdist's `avx2` loops need.
    public var hasAVX2: Bool { has(.avx2) && has(.fma) }

    /// The AVX-512 subset Skylake-SP introduced (F, DQ, CD, BW, VL), which OpenBLAS's
    /// SkylakeX kernels and LLVM's `skylake-avx512` code assume.
    public var hasAVX512: Bool { [.avx512f, .avx512dq, .avx512cd, .avx512bw, .avx512vl].allSatisfy(has) }

    /// "Intel family 6 model 207 (AVX-512 + BF16)": the vendor, model and widest vector ISA.
    public var description: String {
        let isa = hasAVX512 ? "AVX-512" + (has(.avx512bf16) ? " + BF16" : "") : hasAVX2 ? "AVX2" : has(.avx) ? "AVX" : "SSE"
        return "\(vendor.rawValue) family \(family) model \(model) (\(isa))"
    }
}

private extension CPUFeatures.Feature {
    var ccpuid: ccpuid_feature {
        switch self {
        case .sse3: CCPUID_SSE3
        case .avx: CCPUID_AVX
        case .fma: CCPUID_FMA
        case .avx2: CCPUID_AVX2
        case .avx512f: CCPUID_AVX512F
        case .avx512dq: CCPUID_AVX512DQ
        case .avx512cd: CCPUID_AVX512CD
        case .avx512bw: CCPUID_AVX512BW
        case .avx512vl: CCPUID_AVX512VL
        case .avx512vnni: CCPUID_AVX512VNNI
        case .avx512bf16: CCPUID_AVX512BF16
        case .avx512fp16: CCPUID_AVX512FP16
        case .amx: CCPUID_AMX_TILE
        case .amxbf16: CCPUID_AMX_BF16
        }
    }
}
