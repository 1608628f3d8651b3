/// Why every rank leaves the training loop together.
public enum StopReason: Equatable, Sendable, CustomStringConvertible {
    /// A rank received a stop signal (SIGUSR1 forwarded by mpirun, or SIGTERM/SIGINT).
    case signal
    /// A rank has reached the end of training.
    case finished
    /// This many consecutive steps had a non-finite loss or gradient somewhere.
    case tooManySkips(Int)

    public var description: String {
        switch self {
        case .signal: return "stop signal received"
        case .finished: return "training finished"
        case .tooManySkips(let n):
            return "stopping after \(n) consecutive steps with a non-finite loss or gradient; lower the learning rate or check the data"
        }
    }
}

/// What every rank does with the step it just computed: the same on all ranks, since
/// it comes from one collective.
public struct StepDecision: Equatable, Sendable {
    /// False: some rank saw a non-finite loss or gradient; nobody updates.
    public var apply: Bool
    /// Non-nil: everybody leaves the loop after this step.
    public var stop: StopReason?
    /// Mean loss over the global batch.
    public var loss: Double

    public init(apply: Bool, stop: StopReason?, loss: Double) { (self.apply, self.stop, self.loss) = (apply, stop, loss) }
}

/// Per-step agreement: one small allreduce carries each rank's loss share and flags
/// (non-finite, stop signal, finished, error), so no rank acts alone and none is left
/// waiting in a collective the others skipped.
public final class StepAgreement {
    /// Consecutive skipped steps after which the run stops.
    public let maxConsecutiveSkips: Int
    /// Steps skipped so far for non-finite values.
    public private(set) var skippedSteps = 0
    /// Skipped steps since the last applied one.
    public private(set) var consecutiveSkips = 0

    private let communicator: Communicator

    public init(communicator: Communicator, maxConsecutiveSkips: Int) {
        precondition(maxConsecutiveSkips >= 1, "StepAgreement: maxConsecutiveSkips must be at least 1")
        (self.communicator, self.maxConsecutiveSkips) = (communicator, maxConsecutiveSkips)
    }

    /// Agrees on this step; call on every rank after the gradient reduction.
    ///
    /// - Parameters:
    ///   - loss: this rank's mean loss over its share of the batch.
    ///   - lossWeight: this rank's share of the global batch (its elements / all
    ///     elements), so the weighted sum is the global mean.
    ///   - gradients: the reduced gradient arena, `count` floats, checked for NaN/Inf.
    ///   - stopRequested, finished: this rank's view.
    public func agree(loss: Double, lossWeight: Double, gradients: UnsafePointer<Float>, count: Int,
                      stopRequested: Bool = false, finished: Bool = false) throws -> StepDecision {
        let nonFinite = !loss.isFinite || !allFinite(gradients, count: count)
        let flag = { (b: Bool) in b ? 1.0 : 0.0 }
        let sums = try communicator.allreduce([loss * lossWeight, flag(nonFinite), flag(stopRequested), flag(finished)], .sum)
        var decision = StepDecision(apply: sums[1] == 0, stop: nil, loss: sums[0])
        if decision.apply {
            consecutiveSkips = 0
        } else {
            skippedSteps += 1
            consecutiveSkips += 1
        }
        if consecutiveSkips >= maxConsecutiveSkips {
            decision.stop = .tooManySkips(consecutiveSkips)
        } else if sums[2] > 0 {
            decision.stop = .signal
        } else if sums[3] > 0 {
            decision.stop = .finished
        }
        return decision
    }
}

/// True when no element of `values[0..<count]` is NaN or ±∞.
public func allFinite(_ values: UnsafePointer<Float>, count: Int) -> Bool {
    // x·0 is 0 for finite x and NaN for NaN or ±∞: a branch-free scan. SIMD lanes
    // because without fast-math a scalar Float sum does not vectorise (43 M in EDSR).
    var lanes = SIMD8<Float>(repeating: 0)
    let raw = UnsafeRawPointer(values), full = count / 8
    for i in 0..<full { lanes += raw.loadUnaligned(fromByteOffset: i &* 32, as: SIMD8<Float>.self) * 0 }
    var probe = lanes.sum()
    for i in (full &* 8)..<count { probe += values[i] * 0 }
    return probe == 0
}
