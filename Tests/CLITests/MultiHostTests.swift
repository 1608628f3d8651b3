import Checkpoint
import Foundation
import TestSupport
import XCTest

/// Two "hosts" on one machine (`launch/netns/multihost.sh`: network namespaces joined by
/// veth pairs and a bridge, ranks started through an `ip netns exec` agent, TCP only)
/// train exactly as two ranks on one host do.
final class MultiHostTests: XCTestCase {
    var dir: URL!
    let root = Executables.repositoryRoot()

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("srdist-multihost-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func args(_ run: String, steps: Int) -> [String] {
        ["--config", root.appendingPathComponent("configs/tiny_x2.json").path, "--set", "run_dir=\(dir.path)/\(run)",
         "--set", "train.steps=\(steps)", "--set", "train.log_every=4"]
    }

    func params(_ run: String) throws -> [Float] {
        try CheckpointFile.read(path: try CheckpointStore.locate("\(dir.path)/\(run)")).params
    }

    /// Same rank count, same reduction order: the bits must match, not just be close.
    func testTwoHostsTrainBitIdenticallyToOneHost() throws {
        let steps = 12
        let multi = try Executables.run(root.appendingPathComponent("launch/netns/multihost.sh").path,
                                        ["--hosts", "2", "--ranks-per-host", "1", "--", Executables.srdist] + args("multi", steps: steps),
                                        environment: ["OMP_NUM_THREADS": "1", "MPIRUN_FLAGS": "--display-map"], timeout: 120)
        if multi.status == 77, let line = multi.output.split(separator: "\n").first(where: { $0.contains("network namespaces unavailable") }) {
            let reason = line.components(separatedBy: "unavailable: ").last ?? String(line)
            throw XCTSkip(missingCapability("network namespaces", reason))
        }
        XCTAssertEqual(multi.status, 0, multi.output)
        XCTAssertTrue(multi.output.contains("Data for node: h0") && multi.output.contains("Data for node: h1"), multi.output)
        let single = try Executables.mpirunSrdist(2, args("single", steps: steps))
        XCTAssertEqual(single.status, 0, single.output)

        let (a, b) = (try params("multi"), try params("single"))
        XCTAssertEqual(a.count, b.count)
        XCTAssertTrue(a == b, "max difference \(zip(a, b).map { abs($0 - $1) }.max() ?? 0)")

        // Each step's gradient allreduce crossed h1's wire: with 2 ranks a ring sends
        // 2·(N−1)/N = 1 gradient per rank per step (more with headers and the broadcast).
        let report = multi.output.components(separatedBy: "h1 eth0 tx ").dropFirst().first
        let tx = try XCTUnwrap(report.flatMap { Int($0.prefix { $0.isNumber }) }, multi.output)
        XCTAssertGreaterThanOrEqual(tx, steps * a.count * MemoryLayout<Float>.size, multi.output)
    }
}
