"""How much a bf16 Winograd convolution would lose: the relative RMS error, against the exact
(float64) correlation of fp32 inputs, of fp32 Winograd, of a bf16 direct convolution (inputs and
filters rounded to bf16, as srdist's bf16 engines compute) and of bf16 Winograd (the transformed
tiles V and filters U rounded to bf16 before the position GEMMs, as a `vdpbf16ps` Winograd would),
for F(2x2,3x3), F(4x4,3x3) and F(6x6,3x3) with 64 input channels.

    python3 bench/bf16_winograd_error.py     # needs numpy; a few seconds
"""
import numpy as np
from fractions import Fraction as Fr
rng = np.random.default_rng(1)

def bf16(x):
    """Round to nearest even bf16, returned as float64."""
    f = np.asarray(x, dtype=np.float32).copy()
    u = f.view(np.uint32).astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000
    return u.astype(np.uint32).view(np.float32).astype(np.float64)

def f32(x): return np.asarray(x, dtype=np.float32).astype(np.float64)

def matrices(m, r, pts):
    n = m + r - 1
    AT = np.zeros((m, n)); G = np.zeros((n, r))
    for j, p in enumerate(pts):
        AT[:, j] = [float(p) ** i for i in range(m)]
        N = 1.0
        for l, q in enumerate(pts):
            if l != j: N *= float(p - q)
        G[j, :] = [float(p) ** k / N for k in range(r)]
    AT[m - 1, n - 1] = 1; G[n - 1, r - 1] = 1
    # Cook-Toom: AT evaluates at the points (and infinity), G interpolates; BT solves
    # the identity sum_j AT[i,j] G[j,k] BT[j,l] = [l == i + k]
    rows, rhs = [], []
    for i in range(m):
        for k in range(r):
            for l in range(n):
                row = np.zeros((n, n))
                for j in range(n): row[j, l] = AT[i, j] * G[j, k]
                rows.append(row.ravel()); rhs.append(1.0 if l == i + k else 0.0)
    BT, *_ = np.linalg.lstsq(np.array(rows), np.array(rhs), rcond=None)
    BT = BT.reshape(n, n)
    return AT, G, BT

cases = {
    "F(2x2)": (2, [Fr(0), Fr(1), Fr(-1)]),
    "F(4x4)": (4, [Fr(0), Fr(1), Fr(-1), Fr(2), Fr(-2)]),
    "F(6x6)": (6, [Fr(0), Fr(1), Fr(-1), Fr(2), Fr(-2), Fr(1, 2), Fr(-1, 2)]),
}
C, CO, T = 64, 16, 64
for name, (m, pts) in cases.items():
    AT, G, BT = matrices(m, 3, pts)
    n = m + 2
    d = f32(rng.standard_normal((T, C, n, n)))          # one input tile per sample, per channel
    g = f32(rng.standard_normal((CO, C, 3, 3)) / np.sqrt(9 * C))
    # exact correlation of the tile with each filter: m×m outputs
    exact = np.zeros((T, CO, m, m))
    for a in range(3):
        for b in range(3):
            exact += np.einsum('tcij,oc->toij', d[:, :, a:a + m, b:b + m], g[:, :, a, b])
    U = np.einsum('ja,ocab,kb->ocjk', G, g, G)
    V = np.einsum('ja,tcab,kb->tcjk', BT, d, BT)
    def wino(U, V):
        M = np.einsum('ocjk,tcjk->tojk', U, V)
        return np.einsum('ij,tojk,lk->toil', AT, M, AT)
    def rel(y): return np.sqrt(np.mean((y - exact) ** 2) / np.mean(exact ** 2))
    assert rel(wino(U, V)) < 1e-10, rel(wino(U, V))
    direct = np.zeros_like(exact); db, gb = bf16(d), bf16(g)
    for a in range(3):
        for b in range(3):
            direct += np.einsum('tcij,oc->toij', db[:, :, a:a + m, b:b + m], gb[:, :, a, b])
    print(f"{name}: relative RMS error vs exact — fp32 Winograd {rel(wino(f32(U), f32(V))):.2e}, "
          f"bf16 direct {rel(direct):.2e}, bf16 Winograd (U, V rounded) {rel(wino(bf16(U), bf16(V))):.2e}, "
          f"bf16 Winograd on bf16 inputs {rel(wino(bf16(np.einsum('ja,ocab,kb->ocjk', G, gb, G)), bf16(np.einsum('ja,tcab,kb->tcjk', BT, db, BT)))):.2e}")
