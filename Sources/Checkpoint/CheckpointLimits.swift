import Models

/// Bounds a checkpoint must keep before srdist allocates anything for it or trusts
/// its counters: a file from elsewhere is checked, not believed.
public struct CheckpointLimits: Equatable, Sendable {
    /// Parameters per checkpoint (and so per tensor) unless raised: 2^28 = 268 M, six
    /// times the paper's EDSR (43 M); 1 GiB per copy of the weights.
    public static let defaultMaxParameters = 1 << 28
    /// Largest step or update counter accepted (2^48): far past any run, and small
    /// enough that `t + 1` and Adam's `β^t` stay exact.
    public static let maxCounter = 1 << 48
    /// Tensors per checkpoint (the paper's MDSR has 180): name lookups stay cheap.
    public static let maxTensors = 4096

    /// Most float32 values one copy of the weights may hold (`checkpoint.max_parameters`,
    /// `--max-parameters`).
    public var maxParameters: Int
    /// Accept NaN or infinite parameters and moments (for `srdist inspect --allow-non-finite`);
    /// otherwise such a tensor is refused by name.
    public var allowNonFinite: Bool
    /// Where libhdf5 first parses the file.
    public var isolation: CheckpointIsolation

    /// Largest checkpoint file read: four copies of the weights at the parameter limit
    /// (parameters, Adam's two moments, the moving average) plus 256 MiB for the
    /// header, the config and the metrics history.
    public var maxFileBytes: Int {
        let (weights, overflow) = maxParameters.multipliedReportingOverflow(by: 16)
        return overflow ? Int.max : weights + (256 << 20)
    }

    public init(maxParameters: Int = defaultMaxParameters, allowNonFinite: Bool = false, isolation: CheckpointIsolation = .inProcess) {
        (self.maxParameters, self.allowNonFinite, self.isolation) = (maxParameters, allowNonFinite, isolation)
    }
}

/// libhdf5 1.10 itself crashes or loops on some crafted files (bench/fuzz.sh found
/// invalid frees, overflows and endless loops in its parser, Tests/Fuzz/Findings/libhdf5)
/// before srdist's checks see anything, so a process that must survive a bad file
/// reads it in a child first.
public enum CheckpointIsolation: Equatable, Sendable {
    /// Read directly (tests, and the child itself).
    case inProcess
    /// `executable inspect FILE …` reads the file first; this process reads it only if
    /// the child read it whole, and otherwise refuses it with the child's line.
    case child(executable: String)
}

/// What the caller's model needs a checkpoint to hold, compared with the file's
/// tensor list before any tensor data is read.
public struct CheckpointExpectation: Sendable {
    public var model: String
    public var scales: [Int]
    public var layout: ParameterLayout

    public init(model: String, scales: [Int], layout: ParameterLayout) {
        (self.model, self.scales, self.layout) = (model, scales, layout)
    }
}
