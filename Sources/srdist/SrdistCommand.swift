import ArgumentParser
import Foundation

/// `srdist`: trains EDSR/MDSR data-parallel on CPUs; `train` is the default verb, so
/// `mpirun -np 16 srdist --config configs/edsr.json` trains.
@main
struct SrdistCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "srdist",
        abstract: "Data-parallel EDSR/MDSR super-resolution training on CPUs.",
        subcommands: [TrainCommand.self, SummaryCommand.self, EvalCommand.self, UpscaleCommand.self, ExportCommand.self, InspectCommand.self,
                      BenchCommand.self, BenchDataCommand.self, BenchConvCommand.self, DemoDataCommand.self, MakeLRCommand.self,
                      PrepareDataCommand.self, PlanCommand.self],
        defaultSubcommand: TrainCommand.self)
}

extension SrdistCommand {
    /// Parses and runs the command; a command line that does not parse is one line on
    /// standard error (not the usage screen): exit 1 for a flag's value that is invalid,
    /// as for a value out of range, 64 for an unknown or missing flag. `--help` and
    /// errors of a running command keep ArgumentParser's own handling.
    static func main() {
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            let code = exitCode(for: error)
            guard code != .success else { exit(withError: error) }
            let line = message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid command line"
            FileHandle.standardError.write(Data("Error: \(line)\n".utf8))
            Foundation.exit(line.contains("is invalid for") ? 1 : code.rawValue)
        }
        do { try command.run() } catch { exit(withError: error) }
    }
}
