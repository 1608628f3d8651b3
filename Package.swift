// swift-tools-version:6.0
import Foundation
import PackageDescription

// Hot loops live in Kernels and Winograd; -Ounchecked drops the bounds and overflow checks
// that otherwise keep them from vectorising. Only they get it: the other targets parse
// files, configs and headers, where a wrapped multiplication or a vanished precondition is
// a hostile input's way in. Their loops use raw pointers and &+ where it counts, which
// keeps a training step as fast as an all-unchecked build (bench/RESULTS.md).
//
// Only `Sources/Winograd`, where a training step spends most of its own (non-BLAS) time,
// is compiled per SIMD level: three modules from one folder (WinogradAVX2 and
// WinogradAVX512 are links to it), each with its `-target-cpu` and a define naming the
// level; `Convolution` picks one at run time (`SIMDLevel.process`, SRDIST_SIMD forces one).
// Everything else is built for the target's baseline, so one binary runs on any x86-64.
func perLevel(_ cpu: String, _ define: String) -> [SwiftSetting] {
    #if arch(x86_64)
    [.unsafeFlags(["-Ounchecked", "-target-cpu", cpu], .when(configuration: .release)), .define(define)]
    #else
    [.unsafeFlags(["-Ounchecked"], .when(configuration: .release)), .define(define)]
    #endif
}
let unchecked: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

let package = Package(
    name: "srdist",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "srdist", targets: ["srdist"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
    ],
    targets: [
        // MARK: - System libraries and one C shim per library that needs one
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c"),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas"),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5"),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng"),
        // Open MPI's handle macros and HDF5's type macros as functions (Swift imports neither).
        .target(name: "CMPIShims", dependencies: ["CMPI"], exclude: ["README.md"]),
        .target(name: "CHDF5Shims", dependencies: ["CHDF5"], exclude: ["README.md"]),
        // CPUID and XGETBV, software prefetch and the spin-wait pause, which Swift cannot issue.
        .target(name: "CCPUID", exclude: ["README.md"]),
        .systemLibrary(name: "CPrefetch"),
        .systemLibrary(name: "CMalloc"),

        // MARK: - Below every layer: fingerprints, error text and the protobuf wire format, no C library
        .target(name: "Support", exclude: ["README.md"]),

        // MARK: - What the process runs on: CPU features, the BLAS kernel check, the thread budget
        .target(name: "Machine", dependencies: ["CBLAS", "CCPUID"], exclude: ["README.md"]),

        // MARK: - Layers: each target imports only the ones listed as its dependencies
        .target(name: "Kernels", dependencies: ["CBLAS", "CMalloc", "CPrefetch", "Machine"], exclude: ["README.md"], swiftSettings: unchecked),
        .target(name: "Winograd", dependencies: ["CBLAS", "CPrefetch", "Kernels", "Machine"], exclude: ["README.md"],
                swiftSettings: unchecked),
        .target(name: "WinogradAVX2", dependencies: ["CBLAS", "CPrefetch", "Kernels", "Machine"], exclude: ["README.md"],
                swiftSettings: perLevel("haswell", "SRDIST_SIMD_AVX2")),
        .target(name: "WinogradAVX512", dependencies: ["CBLAS", "CPrefetch", "Kernels", "Machine"], exclude: ["README.md"],
                swiftSettings: perLevel("skylake-avx512", "SRDIST_SIMD_AVX512")),
        .target(name: "Convolution", dependencies: ["Kernels", "Machine", "Winograd", "WinogradAVX2", "WinogradAVX512"],
                exclude: ["README.md"]),
        .target(name: "Models", dependencies: ["Kernels", "Convolution"], exclude: ["README.md"]),
        .target(name: "Data", dependencies: ["CPNG", "Kernels", "Support"], exclude: ["README.md"]),
        .target(name: "Metrics", dependencies: ["Kernels"], exclude: ["README.md"]),
        .target(name: "Distributed", dependencies: ["CMPI", "CMPIShims", "Support"], exclude: ["README.md"]),
        .target(name: "Checkpoint", dependencies: ["CHDF5", "CHDF5Shims", "Models", "Support"], exclude: ["README.md"]),
        // A network as an ONNX graph, and the ONNX reader behind `srdist inspect`; protobuf through Support's encoder.
        .target(name: "ONNX", dependencies: ["Kernels", "Models", "Support"], exclude: ["README.md"]),
        .target(name: "Train",
                dependencies: ["Convolution", "Kernels", "Models", "Data", "Metrics", "Distributed", "Checkpoint", "Machine", "Support",
                               .product(name: "Logging", package: "swift-log")],
                exclude: ["README.md"]),
        .executableTarget(name: "srdist",
                          dependencies: ["Train", "Checkpoint", "Convolution", "Data", "Distributed", "Kernels", "Machine", "Metrics", "Models",
                                         "ONNX", "Support", .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          exclude: ["README.md"]),

        // MARK: - Tests
        .target(name: "TestSupport", dependencies: ["Kernels", "Models", "CHDF5", "CHDF5Shims"], path: "Tests/TestSupport"),
        // Launched under mpirun by DistributedTests: collectives need real processes.
        .executableTarget(name: "mpi-harness", dependencies: ["Distributed", "Kernels", "Machine", "Models", "Support", "Train"],
                          path: "Tests/MPIHarness"),
        // Killed mid-save by CheckpointTests: a crash must leave the previous checkpoint whole.
        .executableTarget(name: "checkpoint-harness", dependencies: ["Checkpoint", "Models"], path: "Tests/CheckpointHarness"),
        .testTarget(name: "SupportTests", dependencies: ["Support"]),
        .testTarget(name: "MachineTests", dependencies: ["Machine"]),
        .testTarget(name: "KernelsTests", dependencies: ["Convolution", "Kernels", "Machine", "TestSupport"]),
        // Fixtures are read through #filePath, not bundled.
        .testTarget(name: "ModelsTests", dependencies: ["Kernels", "Models", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "DataTests", dependencies: ["Data", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "MetricsTests", dependencies: ["Kernels", "Metrics", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "DistributedTests", dependencies: ["Distributed", "TestSupport"]),
        .testTarget(name: "ONNXTests", dependencies: ["Models", "ONNX", "Support"]),
        .testTarget(name: "CheckpointTests", dependencies: ["Checkpoint", "Kernels", "Models", "TestSupport"]),
        .testTarget(name: "TrainTests", dependencies: ["Train", "Data", "Distributed", "Kernels", "Models", "Support", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["Checkpoint", "Data", "Machine", "TestSupport"]),
    ],
    // Kernels hand raw pointers to Dispatch workers; Swift 6's strict Sendable checking
    // would force every such closure through wrappers without making it safer.
    swiftLanguageModes: [.v5]
)

// libFuzzer targets, run by bench/fuzz.sh: they link only with -sanitize=fuzzer (which
// brings libFuzzer), so they exist only in that build.
if ProcessInfo.processInfo.environment["SRDIST_FUZZ"] != nil {
    package.targets += [
        .target(name: "FuzzSupport", path: "Tests/Fuzz/FuzzSupport"),
        .executableTarget(name: "png-fuzz", dependencies: ["Data", "FuzzSupport"], path: "Tests/Fuzz/PNGFuzz"),
        .executableTarget(name: "config-fuzz", dependencies: ["Train", "FuzzSupport"], path: "Tests/Fuzz/ConfigFuzz"),
        .executableTarget(name: "checkpoint-fuzz", dependencies: ["Checkpoint", "Kernels", "Train", "FuzzSupport"], path: "Tests/Fuzz/CheckpointFuzz"),
    ]
}
