import Foundation
import TestSupport
import XCTest

/// `train.threads_per_rank: "auto"`: each rank takes its node's cores over the ranks MPI
/// placed there, whatever OMP_NUM_THREADS says.
final class AutoThreadsRunTests: ScratchFolderTestCase {
    func testAutoSharesTheNodesCoresAmongItsRanks() throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let r = try Executables.mpirunSrdist(2, ["--config", tiny, "--set", "train.steps=2", "--set", "train.threads_per_rank=auto",
                                                 "--set", "run_dir=\(dir.path)/run"], threads: 7)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.output.contains("over 2 ranks × \(max(1, cores / 2)) threads"), r.output)
    }
}
