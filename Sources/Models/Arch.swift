/// The network architectures, by the names configs (`model.arch`) and checkpoints
/// (`/model`) use.
public enum Arch: String, Sendable, CaseIterable {
    /// One scale per network (`EDSR`).
    case edsr
    /// One shared body, a branch per scale (`MDSR`).
    case mdsr
}
