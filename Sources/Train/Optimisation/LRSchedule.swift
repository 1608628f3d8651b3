import Foundation

/// How the learning rate follows the step (`train.lr_schedule`). Every case is a pure
/// function of the global step, so a resumed run is at exactly the position it left:
/// the step in the checkpoint is the schedule's whole state (no scheduler object to
/// save and forget, EDSR-PyTorch's #296). A stage of staged training is a run of its
/// own: its schedule starts at its step 0 and, for `cosine`, spans its own steps.
public enum LRSchedule: Equatable, Sendable {
    /// `lr · gamma^⌊t / every⌋` — the paper's "halve every 2·10⁵ updates" with gamma 0.5.
    case step(every: Int, gamma: Double)
    /// `lr · gamma^(number of milestones ≤ t)`: steps `t ≥ m` run at the decayed rate
    /// (PyTorch's `MultiStepLR` counting updates).
    case multistep(milestones: [Int], gamma: Double)
    /// Linear warm-up `lr · (t+1)/warmup` for `t < warmup`, then half a cosine from `lr`
    /// down to `minLR` over the remaining steps up to `totalSteps` (the run's `train.steps`).
    case cosine(warmupSteps: Int, minLR: Double, totalSteps: Int)

    /// The config name, as in `train.lr_schedule`.
    public var name: String {
        switch self {
        case .step: return "step"
        case .multistep: return "multistep"
        case .cosine: return "cosine"
        }
    }

    /// The learning rate of the update at global step `t` (0-based: `t` updates done).
    public func rate(base: Double, step t: Int) -> Float {
        switch self {
        case let .step(every, gamma):
            return Float(base * pow(gamma, Double(t / every)))
        case let .multistep(milestones, gamma):
            return Float(base * pow(gamma, Double(milestones.filter { $0 <= t }.count)))
        case let .cosine(warmup, minLR, total):
            if t < warmup { return Float(base * Double(t + 1) / Double(warmup)) }
            let progress = Double(min(t, total) - warmup) / Double(max(total - warmup, 1))
            return Float(minLR + (base - minLR) * 0.5 * (1 + cos(Double.pi * progress)))
        }
    }

    /// Why this schedule cannot serve a run of `steps` updates, or nil: a milestone or
    /// the warm-up must end inside the run (checked per stage too, whose steps differ).
    func problem(steps: Int) -> (key: String, why: String)? {
        switch self {
        case .step: return nil
        case let .multistep(milestones, _):
            guard let late = milestones.first(where: { $0 >= steps }) else { return nil }
            return ("milestones", "has \(late), not below the run's \(steps) steps (it would never apply)")
        case let .cosine(warmup, _, _):
            guard warmup >= steps else { return nil }
            return ("warmup_steps", "is \(warmup), must be below the run's \(steps) steps")
        }
    }
}

extension LRSchedule {
    /// Decodes `train.lr_schedule` and its keys; keys another schedule uses are refused
    /// rather than ignored (a `milestones` under `step` is a mistake, not a no-op).
    static func parse(_ t: inout ConfigSection, lr: Double, steps: Int) throws -> LRSchedule {
        let name = try t.string("lr_schedule", "step", oneOf: ["step", "multistep", "cosine"])
        let keys = ["step": ["lr_decay_steps", "gamma"], "multistep": ["milestones", "gamma"], "cosine": ["warmup_steps", "min_lr"]]
        let foreign = Set(keys.values.joined()).subtracting(keys[name]!).sorted()
        // null counts as absent, so `--set train.lr_decay_steps=null` switches a config's schedule.
        for key in foreign where t.values[key] != nil {
            guard t.raw(key) == nil else { throw t.fail(key, "is not used by lr_schedule \"\(name)\" (remove it, or --set train.\(key)=null)") }
        }
        let schedule: LRSchedule
        switch name {
        case "step":
            schedule = .step(every: try t.int("lr_decay_steps", 200_000, min: 1, max: Config.maxCount),
                             gamma: try t.double("gamma", 0.5, above: 0, max: 1))
        case "multistep":
            guard let list = t.raw("milestones") as? [Any], !list.isEmpty, list.count <= 1000,
                  let values = list.map(ConfigSection.integer) as? [Int] else {
                throw t.fail("milestones", "must be a non-empty list of steps (at most 1000), e.g. [200000, 400000]")
            }
            guard values[0] >= 1, zip(values, values.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw t.fail("milestones", "must be steps ≥ 1 in increasing order, got \(values.prefix(8))")
            }
            schedule = .multistep(milestones: values, gamma: try t.double("gamma", 0.5, above: 0, max: 1))
        default:
            let minLR = try t.double("min_lr", 0, max: 10)
            guard minLR >= 0, minLR <= lr else { throw t.fail("min_lr", "must be between 0 and train.lr (\(lr)), got \(minLR)") }
            schedule = .cosine(warmupSteps: try t.int("warmup_steps", 0, min: 0, max: Config.maxCount), minLR: minLR, totalSteps: steps)
        }
        if let (key, why) = schedule.problem(steps: steps) { throw t.fail(key, why) }
        return schedule
    }
}
