import Foundation

/// How a super-resolved image is scored against its ground truth.
public struct EvaluationProtocol: Equatable, Sendable, Codable {
    /// Pixels removed from every border before scoring.
    public var shave: Int
    /// Score the BT.601 Y channel (true) or R, G and B (false).
    public var onY: Bool

    public init(shave: Int, onY: Bool) { (self.shave, self.onY) = (shave, onY) }

    /// Set5, Set14, B100, Urban100: Y channel, shave = scale.
    public static func benchmark(scale: Int) -> EvaluationProtocol { EvaluationProtocol(shave: scale, onY: true) }
    /// DIV2K validation: RGB, shave = scale + 6.
    public static func div2k(scale: Int) -> EvaluationProtocol { EvaluationProtocol(shave: scale + 6, onY: false) }
}
