import Distributed
import XCTest

/// A process started without mpirun is an MPI singleton: everything works at size 1,
/// which is what lets every other test suite (and single-process training) skip mpirun.
final class SingletonTests: XCTestCase {
    /// MPI starts once per process; every test shares the world communicator.
    static let world = Result { try Communicator.initialize(threadLevel: .multiple) }

    func testWorldIsOneRankAndCollectivesAreIdentity() throws {
        let comm = try Self.world.get()
        XCTAssertEqual(comm.rank, 0)
        XCTAssertEqual(comm.size, 1)
        XCTAssertEqual(comm.threadLevel, .multiple)
        XCTAssertEqual(try comm.allreduce([1.5, -2] as [Float], .sum), [1.5, -2])
        XCTAssertEqual(try comm.allgather([7, 9] as [UInt64]), [[7, 9]])
        XCTAssertEqual(try comm.broadcast("config"), "config")
        try comm.barrier()
        try comm.checkAgreement([("config", 1), ("layout", 2)])
        let sub = try XCTUnwrap(try comm.split(color: 0, key: 0))
        XCTAssertEqual(sub.size, 1)
    }

    func testBucketsAtOneRankLeaveGradientsUntouched() throws {
        let comm = try Self.world.get()
        var grads: [Float] = (0..<100).map(Float.init)
        try grads.withUnsafeMutableBufferPointer { g in
            let buckets = GradientBuckets(communicator: comm, gradients: g.baseAddress!, count: 100,
                                          ranges: GradientBuckets.plan(count: 100, boundaries: [10, 50], bucketSize: 20, firstBucketSize: 5))
            buckets.ready(from: 50)
            XCTAssertEqual(try buckets.finish(), 0)
            XCTAssertEqual(buckets.steps, 1)
        }
        XCTAssertEqual(grads, (0..<100).map(Float.init))
    }

    func testStepAgreementSkipsNonFiniteAndStopsAfterTheLimit() throws {
        let comm = try Self.world.get()
        let agreement = StepAgreement(communicator: comm, maxConsecutiveSkips: 2)
        var grads: [Float] = [1, 2, 3]
        func agree(loss: Double = 1, stop: Bool = false, finished: Bool = false) throws -> StepDecision {
            try agreement.agree(loss: loss, lossWeight: 0.5, gradients: grads, count: grads.count,
                                stopRequested: stop, finished: finished)
        }
        XCTAssertEqual(try agree(loss: 3), StepDecision(apply: true, stop: nil, loss: 1.5))
        grads[1] = .infinity
        XCTAssertEqual(try agree(), StepDecision(apply: false, stop: nil, loss: 0.5))
        grads[1] = 2
        let second = try agree(loss: .nan)
        XCTAssertEqual(second.apply, false)
        XCTAssertEqual(second.stop, .tooManySkips(2))
        XCTAssertTrue(second.loss.isNaN)
        XCTAssertEqual(agreement.skippedSteps, 2)
        XCTAssertEqual(try agree().apply, true)
        XCTAssertEqual(agreement.consecutiveSkips, 0)
        XCTAssertEqual(try agree(stop: true).stop, .signal)
        XCTAssertEqual(try agree(finished: true).stop, .finished)
    }

    /// In training mode a stop signal only sets the flag (start-up mode would exit 85,
    /// which the launcher tests check).
    func testStopSignalSetsTheFlagWhileTraining() {
        StopSignal.install()
        StopSignal.beginTraining()
        defer { StopSignal.endTraining() }
        XCTAssertFalse(StopSignal.received)
        raise(SIGUSR1)
        XCTAssertTrue(StopSignal.received)
    }
}
