import ArgumentParser

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
