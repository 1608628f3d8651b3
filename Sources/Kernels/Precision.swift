import Foundation
import Machine
import Support

/// The number format the convolutions read (`train.precision`, `--precision`):
/// `fp32` (the default) or `bf16`, which rounds the convolutions' activations, weights and
/// output gradients to bfloat16 and accumulates in fp32. Everything else (master weights,
/// Adam, EMA, the loss and its gradient, the MPI gradient sum, the mean shift, the
/// residual and skip additions, the pixel shuffle, the biases) stays fp32 in either.
public enum Precision: String, CaseIterable, Sendable {
    case fp32, bf16

    /// The bf16 engine this precision runs with in this process: nil for fp32; for bf16
    /// `BF16Engine.forProcess(environment:)`, or its refusal.
    /// - Parameters:
    ///   - setting: names the setting in the error (`train.precision`, `--precision`).
    ///   - environment: the process environment (a parameter so tests can pass their own).
    /// - Throws: `PrecisionError`, one line naming the setting, the CPU and what it lacks.
    public func engine(setting: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> BF16Engine? {
        guard self == .bf16 else { return nil }
        switch BF16Engine.forProcess(environment: environment) {
        case let .success(engine): return engine
        case let .failure(refusal): throw PrecisionError(message: "\(setting) is bf16, but \(refusal.message)")
        }
    }
}

/// A precision this process cannot run; its message is the one line printed.
public struct PrecisionError: OneLineError, Equatable {
    public let message: String
}
