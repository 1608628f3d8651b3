import Glibc

/// Float buffers for tensors and kernel scratch. Buffers of 2 MiB or more are aligned
/// to 2 MiB and marked for transparent huge pages (`madvise`, which is how Debian and
/// most distributions ship THP): the kernels stream through hundreds of MiB of
/// activations and hop between 64 Winograd position planes at once, and with 4 KiB
/// pages the address translations miss the TLB. Only whole 2 MiB chunks are marked,
/// so a buffer's resident size stays its own size (rounding every activation up to
/// 2 MiB cost ~120 MB on EDSR) — unless `roundUp`, for the few per-worker scratch
/// buffers of ≥ 256 KiB (the Winograd position planes), which are worth a whole page.
/// Contents are uninitialised.
public func allocateFloats(_ count: Int, roundUp: Bool = false) -> UnsafeMutablePointer<Float> {
    let huge = 1 << 21
    var bytes = max(count, 1) &* MemoryLayout<Float>.stride
    if roundUp && bytes >= huge / 8 { bytes = (bytes &+ huge &- 1) / huge &* huge }
    var p: UnsafeMutableRawPointer?
    guard posix_memalign(&p, bytes >= huge ? huge : 64, bytes) == 0, let p else {
        fatalError("out of memory allocating \(bytes) bytes")
    }
    if bytes >= huge { _ = madvise(p, bytes / huge &* huge, MADV_HUGEPAGE) }
    return p.bindMemory(to: Float.self, capacity: max(count, 1))
}

/// Frees a buffer from `allocateFloats`.
public func deallocateFloats(_ p: UnsafeMutablePointer<Float>) { free(p) }
