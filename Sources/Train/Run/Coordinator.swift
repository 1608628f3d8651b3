import Checkpoint
import Distributed
import Foundation
import Support

/// Runs a config's stages (the paper's ×2, then ×3 and ×4 initialised from ×2), or the
/// config itself when it has none. Each stage is a full training run in
/// `<run_dir>/<stage>/` with its own checkpoints. Stages run in waves: a wave holds the
/// stages whose `init_from` stage has finished. With `concurrent`, a wave's stages run
/// at the same time on disjoint groups of ranks (`MPI_Comm_split`) sized in proportion
/// to their steps; otherwise one after another on all ranks. A finished stage (its
/// latest checkpoint at its last step) is skipped, so a resumed run continues with the
/// unfinished ones.
public func runStages(_ config: Config, options: RunOptions, comm: Communicator) throws -> RunOutcome {
    guard !config.stages.isEmpty else { return try train(config, options: options, comm: comm) }
    var finished = Set<String>()
    var remaining = config.stages
    while !remaining.isEmpty {
        let wave = remaining.filter { $0.initFrom.map(finished.contains) ?? true }
        remaining.removeAll { s in wave.contains { $0.name == s.name } }
        let groups = config.concurrent && wave.count > 1 && comm.size >= wave.count
            ? rankGroups(wave.map(\.steps), ranks: comm.size) : nil
        var outcome = RunOutcome.finished
        if let groups {
            // Every group trains with the whole global batch: a group larger than it is
            // refused on every rank alike, before any group claims its folder (a group
            // refused alone would leave the others waiting for it).
            do { try config.check(ranks: groups.map(\.count).max()!) } catch { throw CollectiveError(describe(error)) }
            let color = groups.firstIndex { $0.contains(comm.rank) }!
            let sub = try comm.split(color: color, key: comm.rank)!
            sub.watchdog = comm.watchdog
            var groupOptions = options
            groupOptions.groupsOnHost = Set(try comm.sameHost().allgather([Int32(color)]).map { $0[0] }).count
            outcome = try runStage(wave[color], of: config, options: groupOptions, comm: sub)
        } else {
            for stage in wave where outcome == .finished {
                outcome = try runStage(stage, of: config, options: options, comm: comm)
            }
        }
        // Every rank learns whether any group stopped (signal, failed save) before the next wave.
        let worst = try comm.allreduce([outcome.exitCode], .max)[0]
        if let stop = [RunOutcome.checkpointedOnSignal, .finalSaveFailed].first(where: { $0.exitCode == worst }) { return stop }
        wave.forEach { finished.insert($0.name) }
    }
    return .finished
}

/// One stage: the base config at the stage's scale and length, in its own folder,
/// initialised from its `init_from` stage's final checkpoint. Skipped when finished.
func runStage(_ stage: StageSpec, of base: Config, options: RunOptions, comm: Communicator) throws -> RunOutcome {
    let folder = (base.runDir as NSString).appendingPathComponent(stage.name)
    if let latest = CheckpointStore(directory: (folder as NSString).appendingPathComponent("checkpoints")).latest(),
       let step = Int(URL(fileURLWithPath: latest).deletingPathExtension().lastPathComponent.dropFirst(5)), step >= stage.steps {
        if comm.rank == 0 && !options.quiet { print("stage \(stage.name): finished earlier (\(latest)), skipped") }
        return .finished
    }
    var overrides = ["model.scale=\(stage.scale)", "train.steps=\(stage.steps)", "run_dir=\(folder)", "name=\(base.name)-\(stage.name)"]
    if let from = stage.initFrom {
        overrides.append("train.init_from=" + (base.runDir as NSString).appendingPathComponent("\(from)/checkpoints/latest"))
    }
    var config = try Config.parse(Data(base.json.utf8), file: "\(base.name) stage \(stage.name)", overrides: overrides)
    config.stage = stage.name
    config.stages = []
    // A stage that has started resumes; one that has not starts fresh either way.
    var stageOptions = options
    if options.resume != nil { stageOptions.resume = "auto" }
    return try train(config, options: stageOptions, comm: comm)
}

/// Splits ranks `0..<ranks` into contiguous groups proportional to `costs`, each at
/// least one rank (largest remainders get the leftovers).
public func rankGroups(_ costs: [Int], ranks: Int) -> [Range<Int>] {
    let total = Double(costs.reduce(0, +))
    let spare = ranks - costs.count
    let shares = costs.map { Double(spare) * Double($0) / total }
    var sizes = shares.map { 1 + Int($0) }
    let order = shares.indices.sorted { shares[$0] - Double(Int(shares[$0])) > shares[$1] - Double(Int(shares[$1])) }
    for i in order.prefix(ranks - sizes.reduce(0, +)) { sizes[i] += 1 }
    var start = 0
    return sizes.map { size in defer { start += size }; return start..<(start + size) }
}
