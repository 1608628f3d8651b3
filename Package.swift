// swift-tools-version:6.0
import Foundation
import PackageDescription

// Hot loops live in Kernels; -Ounchecked drops the bounds and overflow checks that
// otherwise keep them from vectorising (see ../shared/notes/c-interop.md).
//
// On x86-64 they are compiled for AVX2 + FMA (`haswell`, every x86 server since 2013):
// the 8-lane SIMD transforms otherwise split into SSE halves, 8–13 % slower per
// convolution here. SRDIST_TARGET_CPU picks another LLVM CPU name (`znver4`,
// `skylake-avx512`, …) or `generic` for the baseline.
#if arch(x86_64)
let targetCPU = ProcessInfo.processInfo.environment["SRDIST_TARGET_CPU"] ?? "haswell"
#else
let targetCPU = ProcessInfo.processInfo.environment["SRDIST_TARGET_CPU"] ?? "generic"
#endif
let fastMath: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked"] + (targetCPU == "generic" ? [] : ["-target-cpu", targetCPU]),
                 .when(configuration: .release)),
]

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
        // MARK: - System libraries and the C shim
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c"),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas"),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5"),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng"),
        .target(name: "CShims", dependencies: ["CMPI", "CHDF5"]),

        // MARK: - Layers (arrows of DESIGN.md)
        .target(name: "Kernels", dependencies: ["CBLAS"], exclude: ["README.md"], swiftSettings: fastMath),
        .target(name: "Models", dependencies: ["Kernels"], exclude: ["README.md"], swiftSettings: fastMath),
        .target(name: "Data", dependencies: ["CPNG", "Kernels"], exclude: ["README.md"], swiftSettings: fastMath),
        .target(name: "Metrics", dependencies: ["Kernels"], exclude: ["README.md"], swiftSettings: fastMath),
        .target(name: "Distributed", dependencies: ["CMPI", "CShims"], exclude: ["README.md"]),
        .target(name: "Checkpoint", dependencies: ["CHDF5", "CShims", "Models"], exclude: ["README.md"]),
        .target(name: "Train",
                dependencies: ["Models", "Data", "Metrics", "Distributed", "Checkpoint",
                               .product(name: "Logging", package: "swift-log")],
                exclude: ["README.md"], swiftSettings: fastMath),
        .executableTarget(name: "srdist",
                          dependencies: ["Train", "Checkpoint", .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // MARK: - Tests
        .target(name: "TestSupport", dependencies: ["Kernels", "Models"], path: "Tests/TestSupport"),
        // Launched under mpirun by DistributedTests: collectives need real processes.
        .executableTarget(name: "mpi-harness", dependencies: ["Distributed", "Kernels", "Models", "Train"], path: "Tests/MPIHarness"),
        // Killed mid-save by CheckpointTests: a crash must leave the previous checkpoint whole.
        .executableTarget(name: "checkpoint-harness", dependencies: ["Checkpoint"], path: "Tests/CheckpointHarness"),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "TestSupport"]),
        // Fixtures are read through #filePath, not bundled.
        .testTarget(name: "ModelsTests", dependencies: ["Models", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "DataTests", dependencies: ["Data", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "DistributedTests", dependencies: ["Distributed", "TestSupport"]),
        .testTarget(name: "CheckpointTests", dependencies: ["Checkpoint", "TestSupport"]),
        .testTarget(name: "TrainTests", dependencies: ["Train", "Models", "Distributed", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["Checkpoint", "TestSupport"]),
    ],
    // Kernels hand raw pointers to Dispatch workers; Swift 6's strict Sendable checking
    // would force every such closure through wrappers without making it safer.
    swiftLanguageModes: [.v5]
)
