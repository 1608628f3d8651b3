#!/usr/bin/env python3
"""Derives the Winograd F(m x m, r x r) matrices used by WinogradTile.f6x6 (m 6, r 3)
and .f4x4k5 (m 4, r 5) and checks their float32 rounding.

Points 0, ±1, ±2, ±1/2 and infinity (Lavin & Gray 2016; the Toom-Cook construction of
wincnn): Aᵀ is the Vandermonde rows at the points, G the filter interpolation scaled by
1/∏(aⱼ − aₗ), and Bᵀ the unique solution of Aᵀ[(G g) ⊙ (Bᵀ d)] = correlation(d, g).

    python3 tools/winograd_matrices.py 6 3   # needs sympy and numpy
    python3 tools/winograd_matrices.py 4 5
"""
import sys

import numpy as np
import sympy as sp

m, r = int(sys.argv[1]), int(sys.argv[2])
alpha = m + r - 1
assert alpha == 8, "these are the 7 finite points of an 8-point transform"
points = [sp.Rational(0), 1, -1, 2, -2, sp.Rational(1, 2), sp.Rational(-1, 2)]
n = len(points)

AT = sp.zeros(m, alpha)
G = sp.zeros(alpha, r)
for j, p in enumerate(points):
    for i in range(m):
        AT[i, j] = sp.Rational(p) ** i
    f = sp.prod([p - q for l, q in enumerate(points) if l != j])
    for k in range(r):
        G[j, k] = sp.Rational(p) ** k / f
AT[m - 1, n] = 1
G[n, r - 1] = 1

BT = sp.Matrix(alpha, alpha, lambda i, j: sp.Symbol(f"b{i}_{j}"))
equations = [sum(AT[i, j] * G[j, k] * BT[j, l] for j in range(alpha)) - (1 if l == i + k else 0)
             for i in range(m) for k in range(r) for l in range(alpha)]
(solution,) = sp.solve(equations, list(BT), dict=True)
BT = BT.subs(solution)
assert not BT.free_symbols

for name, M in (("A^T", AT), ("G", G), ("B^T", BT)):
    print(name)
    sp.pprint(M)

rng = np.random.default_rng(0)
at, g_, bt = (np.array(M.tolist(), dtype=np.float64) for M in (AT, G, BT))
f32 = lambda x: x.astype(np.float32)
errors = []
for _ in range(2000):
    d, g = rng.standard_normal((alpha, alpha)), rng.standard_normal((r, r))
    ref = np.array([[np.sum(d[i:i + r, j:j + r] * g) for j in range(m)] for i in range(m)])
    exact = at @ ((g_ @ g @ g_.T) * (bt @ d @ bt.T)) @ at.T
    assert np.abs(exact - ref).max() < 1e-9
    y = f32(at) @ (f32(f32(g_) @ f32(g) @ f32(g_).T) * f32(f32(bt) @ f32(d) @ f32(bt).T)) @ f32(at).T
    errors.append(np.abs(y - ref).max() / np.abs(ref).max())
print(f"float32 relative error per tile: median {np.median(errors):.2e}, max {np.max(errors):.2e}")
