/// How the global batch is split among the ranks (`distributed.balance` and the
/// `balance_*` keys).
public struct BalanceSpec: Equatable, Sendable {
    /// Where the shares come from.
    public enum Mode: String, Sendable, CaseIterable {
        /// Equal contiguous shares (`batchShare`): bit-exact at a given rank count.
        case equal
        /// Shares that follow each rank's measured compute speed, re-decided every
        /// `window` steps when the predicted gain reaches `threshold`.
        case measured
        /// Shares in proportion to `weights`, never changed: a known mix of node speeds,
        /// or the replay of a measured run's logged shares.
        case fixed
    }

    public var mode: Mode
    /// Steps per measurement window; the ranks decide at the start of the step after it.
    public var window: Int
    /// Smallest predicted step-time gain (a fraction) worth a change of shares.
    public var threshold: Double
    /// Largest share as a multiple of the equal share: what each rank's batch buffers
    /// are sized for.
    public var maxFactor: Double
    /// Per-rank weights for `fixed` (one per rank of the run).
    public var weights: [Int]?

    static func parse(_ d: inout ConfigSection) throws -> BalanceSpec {
        let spec = BalanceSpec(mode: try d.choice("balance", Mode.equal, oneOf: Mode.allCases),
                               window: try d.int("balance_window", 20, min: 2, max: 100_000),
                               threshold: try d.double("balance_threshold", 0.05, max: 1),
                               maxFactor: try d.double("balance_max_factor", 2, max: 1_000),
                               weights: try parseWeights(&d))
        if spec.threshold < 0 { throw d.fail("balance_threshold", "must be between 0 and 1, got \(spec.threshold)") }
        if spec.maxFactor < 1 { throw d.fail("balance_max_factor", "must be at least 1, got \(spec.maxFactor)") }
        if (spec.mode == .fixed) != (spec.weights != nil) {
            throw d.fail("balance_weights", spec.mode == .fixed ? "is required by balance \"fixed\" (one positive integer per rank)"
                                                                  : "is used only by balance \"fixed\"")
        }
        return spec
    }

    private static func parseWeights(_ d: inout ConfigSection) throws -> [Int]? {
        guard let raw = d.raw("balance_weights") else { return nil }
        guard let list = raw as? [Any], !list.isEmpty, list.count <= 1 << 20,
              let weights = list.map(ConfigSection.integer) as? [Int], weights.allSatisfy({ (1...1_000_000).contains($0) }) else {
            throw d.fail("balance_weights", "must be a list of integers from 1 to 1000000, one per rank")
        }
        return weights
    }
}
