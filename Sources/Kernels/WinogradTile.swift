/// Winograd minimal filtering F(m×m, 3×3) (Lavin & Gray 2016): an m×m output tile is
/// `Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A` for the α×α input window `d` (α = m + 2) and the 3×3
/// filter `g`, so α² multiplies replace 9m² of the direct convolution.
///
/// Every 2-D transform here is a 1-D transform applied along one axis and then the
/// other. The 1-D transforms work on whole vectors: "element e" is `count` contiguous
/// floats starting at `s(e)` (or `d(e)`), so one call transforms many tiles (or
/// channels) at once in SIMD registers. `count` must be a multiple of `winogradLanes`.
public enum WinogradTile: String, Sendable, CaseIterable {
    /// F(2×2, 3×3): interpolation points 0, ±1, ∞; 2.25× fewer multiplies, error like im2col.
    case f2x2
    /// F(4×4, 3×3): points 0, ±1, ±2, ∞; 4× fewer multiplies, ~10× the rounding error.
    case f4x4

    /// Output tile side m.
    public var m: Int { self == .f2x2 ? 2 : 4 }
    /// Input window side α = m + 2.
    public var alpha: Int { m + 2 }
}

/// SIMD width of the 1-D transforms; callers pad vector lengths to a multiple of it.
let winogradLanes = 8
typealias Lanes = SIMD8<Float>
/// Where element e of a 1-D transform's source or destination vectors starts.
typealias Elements = (Int) -> UnsafePointer<Float>
typealias MutableElements = (Int) -> UnsafeMutablePointer<Float>

@inline(__always) private func loadLanes(_ p: UnsafePointer<Float>) -> Lanes {
    UnsafeRawPointer(p).loadUnaligned(as: Lanes.self)
}

@inline(__always) private func storeLanes(_ v: Lanes, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self)
}

/// Calls `body(offset)` for each SIMD group of `count` lanes.
@inline(__always) private func lanesLoop(_ count: Int, _ body: (Int) -> Void) {
    var t = 0
    while t < count {
        body(t)
        t &+= winogradLanes
    }
}

extension WinogradTile {
    /// Input transform Bᵀ along one axis: α elements → α elements.
    @inline(__always)
    func inputTransform(_ s: Elements, _ d: MutableElements, count: Int) {
        switch self {
        case .f2x2:
            lanesLoop(count) { t in
                let x0 = loadLanes(s(0) + t), x1 = loadLanes(s(1) + t), x2 = loadLanes(s(2) + t), x3 = loadLanes(s(3) + t)
                storeLanes(x0 - x2, d(0) + t)
                storeLanes(x1 + x2, d(1) + t)
                storeLanes(x2 - x1, d(2) + t)
                storeLanes(x1 - x3, d(3) + t)
            }
        case .f4x4:
            lanesLoop(count) { t in
                let x0 = loadLanes(s(0) + t), x1 = loadLanes(s(1) + t), x2 = loadLanes(s(2) + t)
                let x3 = loadLanes(s(3) + t), x4 = loadLanes(s(4) + t), x5 = loadLanes(s(5) + t)
                let a = x4 - x2, b = x3 - x1
                storeLanes(4 * x0 - 5 * x2 + x4, d(0) + t)
                storeLanes(x3 + x4 - 4 * (x1 + x2), d(1) + t)
                storeLanes(x4 - x3 + 4 * (x1 - x2), d(2) + t)
                storeLanes(a + 2 * b, d(3) + t)
                storeLanes(a - 2 * b, d(4) + t)
                storeLanes(4 * x1 - 5 * x3 + x5, d(5) + t)
            }
        }
    }

    /// Output transform Aᵀ along one axis: α elements → m elements.
    @inline(__always)
    func outputTransform(_ s: Elements, _ d: MutableElements, count: Int) {
        switch self {
        case .f2x2:
            lanesLoop(count) { t in
                let x0 = loadLanes(s(0) + t), x1 = loadLanes(s(1) + t), x2 = loadLanes(s(2) + t), x3 = loadLanes(s(3) + t)
                storeLanes(x0 + x1 + x2, d(0) + t)
                storeLanes(x1 - x2 - x3, d(1) + t)
            }
        case .f4x4:
            lanesLoop(count) { t in
                let x0 = loadLanes(s(0) + t), x1 = loadLanes(s(1) + t), x2 = loadLanes(s(2) + t)
                let x3 = loadLanes(s(3) + t), x4 = loadLanes(s(4) + t), x5 = loadLanes(s(5) + t)
                let a = x1 + x2, b = x1 - x2, c = x3 + x4, e = x3 - x4
                storeLanes(x0 + a + c, d(0) + t)
                storeLanes(b + 2 * e, d(1) + t)
                storeLanes(a + 4 * c, d(2) + t)
                storeLanes(b + 8 * e + x5, d(3) + t)
            }
        }
    }

    /// The output transform's adjoint A along one axis: m elements → α elements. Carries
    /// an output-gradient tile into the Winograd domain for the weight gradient.
    @inline(__always)
    func outputAdjoint(_ s: Elements, _ d: MutableElements, count: Int) {
        switch self {
        case .f2x2:
            lanesLoop(count) { t in
                let y0 = loadLanes(s(0) + t), y1 = loadLanes(s(1) + t)
                storeLanes(y0, d(0) + t)
                storeLanes(y0 + y1, d(1) + t)
                storeLanes(y0 - y1, d(2) + t)
                storeLanes(-y1, d(3) + t)
            }
        case .f4x4:
            lanesLoop(count) { t in
                let y0 = loadLanes(s(0) + t), y1 = loadLanes(s(1) + t), y2 = loadLanes(s(2) + t), y3 = loadLanes(s(3) + t)
                let even1 = y0 + y2, odd1 = y1 + y3, even2 = y0 + 4 * y2, odd2 = 2 * y1 + 8 * y3
                storeLanes(y0, d(0) + t)
                storeLanes(even1 + odd1, d(1) + t)
                storeLanes(even1 - odd1, d(2) + t)
                storeLanes(even2 + odd2, d(3) + t)
                storeLanes(even2 - odd2, d(4) + t)
                storeLanes(y3, d(5) + t)
            }
        }
    }

    /// Filter transform G along one axis: 3 elements → α elements.
    @inline(__always)
    func filterTransform(_ s: Elements, _ d: MutableElements, count: Int) {
        switch self {
        case .f2x2:
            lanesLoop(count) { t in
                let g0 = loadLanes(s(0) + t), g1 = loadLanes(s(1) + t), g2 = loadLanes(s(2) + t)
                let a = 0.5 * (g0 + g2), b = 0.5 * g1
                storeLanes(g0, d(0) + t)
                storeLanes(a + b, d(1) + t)
                storeLanes(a - b, d(2) + t)
                storeLanes(g2, d(3) + t)
            }
        case .f4x4:
            lanesLoop(count) { t in
                let g0 = loadLanes(s(0) + t), g1 = loadLanes(s(1) + t), g2 = loadLanes(s(2) + t)
                let a = (-1.0 / 6) * (g0 + g2), b = (-1.0 / 6) * g1
                let c = (1.0 / 24) * g0 + (1.0 / 6) * g2, e = (1.0 / 12) * g1
                storeLanes(0.25 * g0, d(0) + t)
                storeLanes(a + b, d(1) + t)
                storeLanes(a - b, d(2) + t)
                storeLanes(c + e, d(3) + t)
                storeLanes(c - e, d(4) + t)
                storeLanes(g2, d(5) + t)
            }
        }
    }

    /// The filter transform's adjoint Gᵀ along one axis: α elements → 3 elements. Carries
    /// a Winograd-domain weight gradient back to the 3×3 filter.
    @inline(__always)
    func filterAdjoint(_ s: Elements, _ d: MutableElements, count: Int) {
        switch self {
        case .f2x2:
            lanesLoop(count) { t in
                let u0 = loadLanes(s(0) + t), u1 = loadLanes(s(1) + t), u2 = loadLanes(s(2) + t), u3 = loadLanes(s(3) + t)
                let a = 0.5 * (u1 + u2)
                storeLanes(u0 + a, d(0) + t)
                storeLanes(0.5 * (u1 - u2), d(1) + t)
                storeLanes(a + u3, d(2) + t)
            }
        case .f4x4:
            lanesLoop(count) { t in
                let u0 = loadLanes(s(0) + t), u1 = loadLanes(s(1) + t), u2 = loadLanes(s(2) + t)
                let u3 = loadLanes(s(3) + t), u4 = loadLanes(s(4) + t), u5 = loadLanes(s(5) + t)
                let p = u1 + u2, q = u3 + u4
                storeLanes(0.25 * u0 - (1.0 / 6) * p + (1.0 / 24) * q, d(0) + t)
                storeLanes((1.0 / 6) * (u2 - u1) + (1.0 / 12) * (u3 - u4), d(1) + t)
                storeLanes((1.0 / 6) * (q - p) + u5, d(2) + t)
            }
        }
    }
}
