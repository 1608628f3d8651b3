/// Winograd minimal filtering F(m×m, r×r) (Lavin & Gray 2016): an m×m output tile is
/// `Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A` for the α×α input window `d` (α = m + r − 1) and the r×r
/// filter `g`, so α² multiplies replace r²m² of the direct convolution. The transforms
/// themselves are in `Sources/Winograd/WinogradTransforms.swift`.
public enum WinogradTile: String, Sendable, CaseIterable {
    /// F(2×2, 3×3): interpolation points 0, ±1, ∞; 2.25× fewer multiplies, error like im2col.
    case f2x2
    /// F(4×4, 3×3): points 0, ±1, ±2, ∞; 4× fewer multiplies, ~10× the rounding error.
    case f4x4
    /// F(6×6, 3×3): points 0, ±1, ±2, ±½, ∞ (matrices from tools/winograd_matrices.py);
    /// 5.06× fewer multiplies, and a 48-pixel patch is exactly 8 tiles — one SIMD vector —
    /// per row. Rounding like F(4×4, 3×3): ≤ 1.3e-5 relative per tile (that script).
    case f6x6
    /// F(4×4, 5×5) for MDSR's 5×5 pre-processing convolutions: the points of F(6×6, 3×3),
    /// so the same input transform; 6.25× fewer multiplies, ≤ 1.2e-5 relative per tile.
    case f4x4k5

    /// The tiles for 3×3 kernels (`KernelSettings.winogradTile` picks one).
    public static let threeByThree: [WinogradTile] = [.f2x2, .f4x4, .f6x6]

    /// Output tile side m.
    public var m: Int {
        switch self {
        case .f2x2: 2
        case .f4x4, .f4x4k5: 4
        case .f6x6: 6
        }
    }
    /// Kernel side r.
    public var r: Int { self == .f4x4k5 ? 5 : 3 }
    /// Input window side α = m + r − 1.
    public var alpha: Int { m + r - 1 }
}
