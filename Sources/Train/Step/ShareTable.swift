import Foundation

/// The batch shares in force by global step, read by the prefetching thread while the
/// training thread schedules a change: a new entry applies from a later step than any
/// batch already being filled, so every step's samples are fixed when it is filled.
final class ShareTable: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(from: Int, shares: BatchShares)]

    init(_ shares: BatchShares, from step: Int = 0) { entries = [(step, shares)] }

    /// The shares of global step `step`.
    func shares(at step: Int) -> BatchShares {
        lock.lock()
        defer { lock.unlock() }
        return (entries.last { $0.from <= step } ?? entries[0]).shares
    }

    /// Puts `shares` in force from step `step` on; the entry in force just before stays
    /// (a fill of an earlier step may still read it), older ones go.
    func set(_ shares: BatchShares, from step: Int) {
        lock.lock()
        defer { lock.unlock() }
        entries.removeAll { $0.from >= step }
        if let before = entries.lastIndex(where: { $0.from < step }) { entries.removeFirst(before) }
        entries.append((step, shares))
    }
}
