import Distributed
import Train

extension Trainer {
    /// A single-process trainer (MPI singleton), as `srdist` without mpirun.
    convenience init(config: Config) throws {
        try self.init(config: config, communicator: Communicator.initialize(threadLevel: .multiple))
    }

    /// Runs step `t` and returns its loss; fails the test on an error.
    func loss(at t: Int) throws -> Double { try step(t).loss }
}
