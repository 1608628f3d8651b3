import Machine

/// What the kernels run with, chosen once (from the config or a command's flags) and
/// handed to every network and kernel call inside a `KernelContext`: no kernel reads a
/// process-wide setting, so two networks in one process (a test, a benchmark) can run
/// with different ones.
public struct KernelSettings: Equatable, Sendable {
    /// Workers for srdist's parallel loops, and OpenBLAS's threads when a loop has a
    /// single chunk (`parallelChunks`); at least 1.
    public var threads: Int
    /// Which kernel computes the convolutions.
    public var algorithm: ConvAlgorithm
    /// Tile of the Winograd path for 3×3 kernels (one of `WinogradTile.threeByThree`).
    public var winogradTile: WinogradTile
    /// At most this many tiles per Winograd work unit (whole tile rows, at least one;
    /// 0 = whole images). Longer units make the GEMMs longer and re-read the transformed
    /// filters less often: whole 48×48 patches (64 F(6×6) tiles) are fastest for every
    /// EDSR training layer. On large images shorter bands win: OpenBLAS's small-matrix
    /// GEMM kernel (about twice the speed of its packed path here) takes M·N·K up to
    /// about 100³, i.e. ≤ ~240 tiles at 64 channels, the unit's α²·(cin + cout)·tiles
    /// floats stay nearer the caches, and more units balance the workers: on a 256×256
    /// image 128 (2 tile rows) ran EDSR-baseline inference 2.4× faster than 256 (5 rows).
    public var unitTiles: Int
    /// At most this many floats of Winograd-domain filters per pass: a layer with more
    /// runs in blocks of output channels, each block with filters, weight-gradient
    /// partial sums and GEMM buffers of its own size, so the scratch every layer shares
    /// grows with the body, not with the upsampler (`winogradChannelBlocks`).
    public var winogradFilterFloats: Int
    /// Which compilation of the Winograd loops runs (`WinogradPasses`); recorded in the
    /// start line, benchmarks and checkpoints.
    public var simd: SIMDLevel
    /// The engine the convolutions run in bf16 with, or nil for fp32 (`Precision.engine`).
    public var bf16: BF16Engine?

    /// The fastest 3×3 tile here (`srdist bench-conv`): `train.winograd_tile`'s default.
    public static let defaultTile = WinogradTile.f6x6
    /// `unitTiles`' default (see there).
    public static let defaultUnitTiles = 128
    /// `winogradFilterFloats`' default: a 256-channel F(6×6) body layer's 256·256·64
    /// (16 MiB). The paper's EDSR ×3 upsampler (256 → 2304) then runs 9 blocks of 256
    /// instead of holding 151 MB of filters, as much again of gradient partials and
    /// 38 MB of GEMM results per worker for one layer (×2 and ×4: 256 → 1024, 4 blocks).
    public static let defaultWinogradFilterFloats = 1 << 22
    /// Below this many input channels, the Winograd transforms cost more than the GEMMs save.
    public static let minWinogradInputs = 16

    public init(threads: Int = 1, algorithm: ConvAlgorithm = .winograd, winogradTile: WinogradTile = defaultTile,
                unitTiles: Int = defaultUnitTiles, winogradFilterFloats: Int = defaultWinogradFilterFloats,
                simd: SIMDLevel = .process, bf16: BF16Engine? = nil) {
        (self.threads, self.algorithm, self.winogradTile, self.unitTiles) = (max(1, threads), algorithm, winogradTile, unitTiles)
        self.winogradFilterFloats = max(1, winogradFilterFloats)
        (self.simd, self.bf16) = (simd, bf16)
    }

    /// fp32, or bf16 when a bf16 engine is set.
    public var precision: Precision { bf16 == nil ? .fp32 : .bf16 }

    /// "fp32", or "bf16 (reference engine)": the start line's and `srdist bench`'s words
    /// (a checkpoint records `precision` alone).
    public var precisionSummary: String { bf16.map { "bf16 (\($0.rawValue) engine)" } ?? "fp32" }

    /// The output channels of layer `s` in equal blocks whose Winograd-domain filters
    /// (α² · channels · cin floats) stay within `winogradFilterFloats`: one block for
    /// every layer up to that size. Each block costs a transform of the input (and,
    /// backward, its transpose), a few percent of the layer's GEMMs at 256 channels a block.
    public func winogradChannelBlocks(_ s: Conv2dShape, tile: WinogradTile) -> [Range<Int>] {
        let perChannel = tile.alpha * tile.alpha * s.cin
        let count = min(s.cout, max(1, (s.cout * perChannel + winogradFilterFloats - 1) / winogradFilterFloats))
        let size = (s.cout + count - 1) / count
        return stride(from: 0, to: s.cout, by: size).map { $0..<min(s.cout, $0 + size) }
    }

    /// The Winograd tile a layer of shape `s` runs with, or nil for im2col:
    /// `winogradTile` for 3×3 kernels and F(4×4, 5×5) for MDSR's 5×5 ones, given at least
    /// `minWinogradInputs` input channels, in fp32 only (bf16 convolutions run im2col:
    /// the Winograd transforms amplify the inputs' rounding, and bf16 keeps 8 bits).
    /// Measured on this machine (`srdist bench-conv`):
    /// the 3→F head runs faster on im2col, everything else with F input channels (F→F,
    /// F→4F, F→9F, F→3 tail, 5×5 F→F) on Winograd.
    public func winogradTile(for s: Conv2dShape) -> WinogradTile? {
        guard algorithm == .winograd, bf16 == nil, s.cin >= Self.minWinogradInputs else { return nil }
        switch s.k {
        case 3: return winogradTile
        case 5: return .f4x4k5
        default: return nil
        }
    }
}
