/// What a run carries across a restart besides the arenas: where the data stream
/// stands and what validation has seen.
public struct RunProgress: Equatable, Sendable, Codable {
    /// Steps completed (the next step to run).
    public var step = 0
    public var bestPSNR: Double?
    public var bestStep: Int?
    /// Validation records, a JSON array.
    public var metricsHistory = "[]"
    public init() {}
}
