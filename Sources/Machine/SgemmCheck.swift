import CBLAS

/// Whether `cblas_sgemm` computes what a plain loop computes, on the transposes and the
/// ragged sizes srdist uses (a kernel's edge code is where a wrong one goes wrong).
/// Entries are small integers, so every product and sum is exact in float32 and the
/// two results must agree bit for bit, whatever order the kernel adds in.
public func sgemmMatchesPlainLoop() -> Bool {
    // (M, N, K): a small-matrix-kernel case, a blocked one with ragged edges.
    for (m, n, k) in [(8, 8, 8), (67, 45, 131), (130, 97, 70)] {
        for (transA, transB) in [(false, false), (false, true), (true, false)] {
            if !agrees(m: m, n: n, k: k, transA: transA, transB: transB) { return false }
        }
    }
    return true
}

private func agrees(m: Int, n: Int, k: Int, transA: Bool, transB: Bool) -> Bool {
    // Values in -4...4 from a fixed pattern: |sum| ≤ 16·131 < 2^24, exact in float32.
    let a = (0..<(m * k)).map { Float(($0 &* 7 &+ 3) % 9 - 4) }
    let b = (0..<(k * n)).map { Float(($0 &* 5 &+ 1) % 9 - 4) }
    // beta = 1 on a non-zero C: the accumulate path srdist's weight gradients use.
    let c0 = (0..<(m * n)).map { Float($0 % 5 - 2) }
    var c = c0
    let (lda, ldb) = (transA ? m : k, transB ? k : n)
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), 1, &c, Int32(n))
    for i in 0..<m {
        for j in 0..<n {
            var sum = c0[i * n + j]
            for p in 0..<k {
                sum += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j])
            }
            if sum != c[i * n + j] { return false }
        }
    }
    return true
}
