import CBLAS

/// The BLAS this process runs: OpenBLAS's own description of itself, recorded in the
/// start line, `srdist bench` and every checkpoint.
public struct BLASLibrary: Equatable, Sendable, CustomStringConvertible {
    /// "OpenBLAS".
    public var name: String
    /// "0.3.21".
    public var version: String
    /// The kernel family OpenBLAS runs (`openblas_get_corename`), e.g. "Prescott" or "SkylakeX".
    public var kernel: String

    public init(name: String, version: String, kernel: String) {
        (self.name, self.version, self.kernel) = (name, version, kernel)
    }

    /// Parses `openblas_get_config()` ("OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH … Prescott MAX_THREADS=64").
    public init(config: String, coreName: String) {
        let words = config.split(separator: " ").map(String.init)
        self.init(name: words.first ?? "OpenBLAS", version: words.count > 1 ? words[1] : "unknown", kernel: coreName)
    }

    /// The library loaded into this process.
    public static var loaded: BLASLibrary {
        BLASLibrary(config: String(cString: openblas_get_config()), coreName: String(cString: openblas_get_corename()))
    }

    /// "OpenBLAS 0.3.21 SkylakeX".
    public var description: String { "\(name) \(version) \(kernel)" }
}
