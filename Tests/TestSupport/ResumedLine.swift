import Foundation

/// The line rank 0 logs when `--resume auto` continues `runFolder` from its checkpoint of
/// `step`. Runs are deterministic, so a run that silently started over could still end
/// with the expected weights: resume tests check this line as well.
public func resumedLine(_ runFolder: String, step: Int) -> String {
    "resumed from \(runFolder)/checkpoints/step-\(String(format: "%09d", step)).h5 at step \(step)"
}
