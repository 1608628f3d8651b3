/// Which kernel computes the convolutions.
public enum ConvAlgorithm: String, Sendable, CaseIterable {
    /// im2col + sgemm for every layer: the reference path any result can be re-checked on.
    case im2col
    /// Winograd for the 3×3 and 5×5 layers where it is faster (`KernelSettings.winogradTile(for:)`),
    /// im2col for the rest.
    case winograd
}
