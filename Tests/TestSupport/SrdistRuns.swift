import Foundation

/// `srdist ARGUMENTS` as a user starts it: exit status and combined output. With
/// `threads`, OMP_NUM_THREADS is set (else inherited); with `np`, under
/// `mpirun -np NP` with 1 thread per rank (`Executables.mpirunSrdist`).
@discardableResult
public func srdist(_ arguments: [String], np: Int? = nil, threads: Int? = nil, environment: [String: String] = [:],
                   timeout: Double = 300) throws -> (status: Int32, output: String) {
    if let np { return try Executables.mpirunSrdist(np, arguments, environment: environment, timeout: timeout) }
    let vars = threads.map { ["OMP_NUM_THREADS": String($0)] } ?? [:]
    return try Executables.run(Executables.srdist, arguments, environment: vars.merging(environment) { $1 }, timeout: timeout)
}

/// `srdist(_:)` with the arguments written out.
@discardableResult
public func srdist(_ arguments: String...) throws -> (status: Int32, output: String) { try srdist(arguments) }

/// The arguments of a training run of `config` in `runDir` for `steps` steps, each of
/// `settings` as a `--set` override.
public func trainArguments(config: String, runDir: String, steps: Int, settings: [String] = []) -> [String] {
    ["--config", config, "--set", "run_dir=\(runDir)", "--set", "train.steps=\(steps)"] + settings.flatMap { ["--set", $0] }
}
