import Checkpoint
import Machine

/// Command-line choices for a run.
public struct RunOptions: Sendable {
    /// "auto" (latest checkpoint of the run folder, if any) or a checkpoint path.
    public var resume: String?
    public var quiet = false
    public var format: RunLog.Format = .text
    /// The start-up BLAS check's outcome, named in the start line (nil: the loaded library, unchecked).
    public var blas: BLASReport?
    /// How rank 0 reads the checkpoints it resumes or initialises from (srdist: in a child first).
    public var checkpointIsolation: CheckpointIsolation
    /// How many stage groups of a concurrent wave have ranks on this rank's host (set by
    /// `runStages`): validation's computing ranks per node are shared among them, so two
    /// groups on one node do not compute twice the windows its cores can run.
    public var groupsOnHost = 1
    public init(resume: String? = nil, quiet: Bool = false, format: RunLog.Format = .text, blas: BLASReport? = nil,
                checkpointIsolation: CheckpointIsolation = .inProcess) {
        (self.resume, self.quiet, self.format, self.blas) = (resume, quiet, format, blas)
        self.checkpointIsolation = checkpointIsolation
    }
}
