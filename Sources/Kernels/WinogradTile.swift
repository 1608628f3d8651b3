/// Winograd minimal filtering F(m×m, r×r) (Lavin & Gray 2016): an m×m output tile is
/// `Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A` for the α×α input window `d` (α = m + r − 1) and the r×r
/// filter `g`, so α² multiplies replace r²m² of the direct convolution.
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

/// SIMD width of the 1-D transforms; callers pad vector lengths to a multiple of it.
let winogradLanes = 8
typealias Lanes = SIMD8<Float>
/// Where element e of a 1-D transform's source or destination vectors starts.
typealias Elements = (Int) -> UnsafePointer<Float>
typealias MutableElements = (Int) -> UnsafeMutablePointer<Float>

@inline(__always) func loadLanes(_ p: UnsafePointer<Float>) -> Lanes {
    UnsafeRawPointer(p).loadUnaligned(as: Lanes.self)
}

@inline(__always) func storeLanes(_ v: Lanes, _ p: UnsafeMutablePointer<Float>) {
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
        case .f4x4k5, .f6x6:
            lanesLoop(count) { t in
                let x0 = loadLanes(s(0) + t), x1 = loadLanes(s(1) + t), x2 = loadLanes(s(2) + t), x3 = loadLanes(s(3) + t), x4 = loadLanes(s(4) + t), x5 = loadLanes(s(5) + t), x6 = loadLanes(s(6) + t), x7 = loadLanes(s(7) + t)
                // Rows of Bᵀ paired as even ± odd parts (points ±p share the even part).
                let t1 = x2 + x6 - 4.25 * x4, t2 = x1 + x5 - 4.25 * x3
                let t3 = x6 + 0.25 * x2 - 1.25 * x4, t4 = 0.5 * x1 - 2.5 * x3 + 2 * x5
                let t5 = x6 + 4 * x2 - 5 * x4, t6 = 2 * x1 - 2.5 * x3 + 0.5 * x5
                storeLanes(x6 - x0 + 5.25 * (x2 - x4), d(0) + t)
                storeLanes(t1 + t2, d(1) + t)
                storeLanes(t1 - t2, d(2) + t)
                storeLanes(t3 + t4, d(3) + t)
                storeLanes(t3 - t4, d(4) + t)
                storeLanes(t5 + t6, d(5) + t)
                storeLanes(t5 - t6, d(6) + t)
                storeLanes(x7 - x1 + 5.25 * (x3 - x5), d(7) + t)
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
        case .f4x4k5:
            lanesLoop(count) { t in
                let x0 = loadLanes(s(0) + t), x1 = loadLanes(s(1) + t), x2 = loadLanes(s(2) + t), x3 = loadLanes(s(3) + t), x4 = loadLanes(s(4) + t), x5 = loadLanes(s(5) + t), x6 = loadLanes(s(6) + t), x7 = loadLanes(s(7) + t)
                var o0 = x0; o0 += x1; o0 += x2; o0 += x3; o0 += x4; o0 += x5; o0 += x6; storeLanes(o0, d(0) + t)
                var o1 = x1; o1 -= x2; o1 += 2 * x3; o1 -= 2 * x4; o1 += 0.5 * x5; o1 -= 0.5 * x6; storeLanes(o1, d(1) + t)
                var o2 = x1; o2 += x2; o2 += 4 * x3; o2 += 4 * x4; o2 += 0.25 * x5; o2 += 0.25 * x6; storeLanes(o2, d(2) + t)
                var o3 = x1; o3 -= x2; o3 += 8 * x3; o3 -= 8 * x4; o3 += 0.125 * x5; o3 -= 0.125 * x6; o3 += x7; storeLanes(o3, d(3) + t)
            }
        case .f6x6:
            lanesLoop(count) { t in
                let x0 = loadLanes(s(0) + t), x1 = loadLanes(s(1) + t), x2 = loadLanes(s(2) + t), x3 = loadLanes(s(3) + t), x4 = loadLanes(s(4) + t), x5 = loadLanes(s(5) + t), x6 = loadLanes(s(6) + t), x7 = loadLanes(s(7) + t)
                let a = x1 + x2, b = x1 - x2, c = x3 + x4, e = x3 - x4, f = x5 + x6, h = x5 - x6
                storeLanes(x0 + a + c + f, d(0) + t)
                storeLanes(b + 2 * e + 0.5 * h, d(1) + t)
                storeLanes(a + 4 * c + 0.25 * f, d(2) + t)
                storeLanes(b + 8 * e + 0.125 * h, d(3) + t)
                storeLanes(a + 16 * c + 0.0625 * f, d(4) + t)
                storeLanes(b + 32 * e + 0.03125 * h + x7, d(5) + t)
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
        case .f4x4k5:
            lanesLoop(count) { t in
                let y0 = loadLanes(s(0) + t), y1 = loadLanes(s(1) + t), y2 = loadLanes(s(2) + t), y3 = loadLanes(s(3) + t)
                let o0 = y0; storeLanes(o0, d(0) + t)
                var o1 = y0; o1 += y1; o1 += y2; o1 += y3; storeLanes(o1, d(1) + t)
                var o2 = y0; o2 -= y1; o2 += y2; o2 -= y3; storeLanes(o2, d(2) + t)
                var o3 = y0; o3 += 2 * y1; o3 += 4 * y2; o3 += 8 * y3; storeLanes(o3, d(3) + t)
                var o4 = y0; o4 -= 2 * y1; o4 += 4 * y2; o4 -= 8 * y3; storeLanes(o4, d(4) + t)
                var o5 = y0; o5 += 0.5 * y1; o5 += 0.25 * y2; o5 += 0.125 * y3; storeLanes(o5, d(5) + t)
                var o6 = y0; o6 -= 0.5 * y1; o6 += 0.25 * y2; o6 -= 0.125 * y3; storeLanes(o6, d(6) + t)
                let o7 = y3; storeLanes(o7, d(7) + t)
            }
        case .f6x6:
            lanesLoop(count) { t in
                let y0 = loadLanes(s(0) + t), y1 = loadLanes(s(1) + t), y2 = loadLanes(s(2) + t), y3 = loadLanes(s(3) + t), y4 = loadLanes(s(4) + t), y5 = loadLanes(s(5) + t)
                let even1 = y0 + y2 + y4, odd1 = y1 + y3 + y5
                let even2 = y0 + 4 * y2 + 16 * y4, odd2 = 2 * y1 + 8 * y3 + 32 * y5
                let even3 = y0 + 0.25 * y2 + 0.0625 * y4, odd3 = 0.5 * y1 + 0.125 * y3 + 0.03125 * y5
                storeLanes(y0, d(0) + t)
                storeLanes(even1 + odd1, d(1) + t)
                storeLanes(even1 - odd1, d(2) + t)
                storeLanes(even2 + odd2, d(3) + t)
                storeLanes(even2 - odd2, d(4) + t)
                storeLanes(even3 + odd3, d(5) + t)
                storeLanes(even3 - odd3, d(6) + t)
                storeLanes(y5, d(7) + t)
            }
        }
    }

    /// Filter transform G along one axis: r elements → α elements.
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
        case .f4x4k5:
            lanesLoop(count) { t in
                let g0 = loadLanes(s(0) + t), g1 = loadLanes(s(1) + t), g2 = loadLanes(s(2) + t), g3 = loadLanes(s(3) + t), g4 = loadLanes(s(4) + t)
                let o0 = -g0; storeLanes(o0, d(0) + t)
                var o1 = -(2.0 / 9) * g0; o1 -= (2.0 / 9) * g1; o1 -= (2.0 / 9) * g2; o1 -= (2.0 / 9) * g3; o1 -= (2.0 / 9) * g4; storeLanes(o1, d(1) + t)
                var o2 = -(2.0 / 9) * g0; o2 += (2.0 / 9) * g1; o2 -= (2.0 / 9) * g2; o2 += (2.0 / 9) * g3; o2 -= (2.0 / 9) * g4; storeLanes(o2, d(2) + t)
                var o3 = (1.0 / 90) * g0; o3 += (1.0 / 45) * g1; o3 += (2.0 / 45) * g2; o3 += (4.0 / 45) * g3; o3 += (8.0 / 45) * g4; storeLanes(o3, d(3) + t)
                var o4 = (1.0 / 90) * g0; o4 -= (1.0 / 45) * g1; o4 += (2.0 / 45) * g2; o4 -= (4.0 / 45) * g3; o4 += (8.0 / 45) * g4; storeLanes(o4, d(4) + t)
                var o5 = (32.0 / 45) * g0; o5 += (16.0 / 45) * g1; o5 += (8.0 / 45) * g2; o5 += (4.0 / 45) * g3; o5 += (2.0 / 45) * g4; storeLanes(o5, d(5) + t)
                var o6 = (32.0 / 45) * g0; o6 -= (16.0 / 45) * g1; o6 += (8.0 / 45) * g2; o6 -= (4.0 / 45) * g3; o6 += (2.0 / 45) * g4; storeLanes(o6, d(6) + t)
                let o7 = g4; storeLanes(o7, d(7) + t)
            }
        case .f6x6:
            lanesLoop(count) { t in
                let g0 = loadLanes(s(0) + t), g1 = loadLanes(s(1) + t), g2 = loadLanes(s(2) + t)
                let a = (-2.0 / 9) * (g0 + g2), b = (-2.0 / 9) * g1
                let c = (1.0 / 90) * g0 + (2.0 / 45) * g2, e = (1.0 / 45) * g1
                let f = (32.0 / 45) * g0 + (8.0 / 45) * g2, h = (16.0 / 45) * g1
                storeLanes(-g0, d(0) + t)
                storeLanes(a + b, d(1) + t)
                storeLanes(a - b, d(2) + t)
                storeLanes(c + e, d(3) + t)
                storeLanes(c - e, d(4) + t)
                storeLanes(f + h, d(5) + t)
                storeLanes(f - h, d(6) + t)
                storeLanes(g2, d(7) + t)
            }
        }
    }

    /// The filter transform's adjoint Gᵀ along one axis: α elements → r elements. Carries
    /// a Winograd-domain weight gradient back to the r×r filter.
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
        case .f4x4k5:
            lanesLoop(count) { t in
                let u0 = loadLanes(s(0) + t), u1 = loadLanes(s(1) + t), u2 = loadLanes(s(2) + t), u3 = loadLanes(s(3) + t), u4 = loadLanes(s(4) + t), u5 = loadLanes(s(5) + t), u6 = loadLanes(s(6) + t), u7 = loadLanes(s(7) + t)
                var o0 = -u0; o0 -= (2.0 / 9) * u1; o0 -= (2.0 / 9) * u2; o0 += (1.0 / 90) * u3; o0 += (1.0 / 90) * u4; o0 += (32.0 / 45) * u5; o0 += (32.0 / 45) * u6; storeLanes(o0, d(0) + t)
                var o1 = -(2.0 / 9) * u1; o1 += (2.0 / 9) * u2; o1 += (1.0 / 45) * u3; o1 -= (1.0 / 45) * u4; o1 += (16.0 / 45) * u5; o1 -= (16.0 / 45) * u6; storeLanes(o1, d(1) + t)
                var o2 = -(2.0 / 9) * u1; o2 -= (2.0 / 9) * u2; o2 += (2.0 / 45) * u3; o2 += (2.0 / 45) * u4; o2 += (8.0 / 45) * u5; o2 += (8.0 / 45) * u6; storeLanes(o2, d(2) + t)
                var o3 = -(2.0 / 9) * u1; o3 += (2.0 / 9) * u2; o3 += (4.0 / 45) * u3; o3 -= (4.0 / 45) * u4; o3 += (4.0 / 45) * u5; o3 -= (4.0 / 45) * u6; storeLanes(o3, d(3) + t)
                var o4 = -(2.0 / 9) * u1; o4 -= (2.0 / 9) * u2; o4 += (8.0 / 45) * u3; o4 += (8.0 / 45) * u4; o4 += (2.0 / 45) * u5; o4 += (2.0 / 45) * u6; o4 += u7; storeLanes(o4, d(4) + t)
            }
        case .f6x6:
            lanesLoop(count) { t in
                let u0 = loadLanes(s(0) + t), u1 = loadLanes(s(1) + t), u2 = loadLanes(s(2) + t), u3 = loadLanes(s(3) + t), u4 = loadLanes(s(4) + t), u5 = loadLanes(s(5) + t), u6 = loadLanes(s(6) + t), u7 = loadLanes(s(7) + t)
                let p12 = u1 + u2, m12 = u1 - u2, p34 = u3 + u4, m34 = u3 - u4, p56 = u5 + u6, m56 = u5 - u6
                storeLanes((-2.0 / 9) * p12 + (1.0 / 90) * p34 + (32.0 / 45) * p56 - u0, d(0) + t)
                storeLanes((-2.0 / 9) * m12 + (1.0 / 45) * m34 + (16.0 / 45) * m56, d(1) + t)
                storeLanes((-2.0 / 9) * p12 + (2.0 / 45) * p34 + (8.0 / 45) * p56 + u7, d(2) + t)
            }
        }
    }
}
