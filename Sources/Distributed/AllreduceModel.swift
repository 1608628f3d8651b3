/// The seconds of a gradient allreduce on a cluster, for `srdist plan`: per bucket, the
/// better of two textbook algorithms (the kind Open MPI's tuned component picks between),
/// with a latency α and a bandwidth β per hop:
/// - ring (large buckets): 2(p−1) steps of s/p bytes, `2(p−1)·(α + s/(p·β))`;
/// - recursive doubling (small buckets): ⌈log₂ p⌉ steps of s bytes, `⌈log₂ p⌉·(α + s/β)`.
///
/// Each step waits for its slowest hop: with more than one node that is the network
/// (ranks placed by node, so a ring enters and leaves each node once and a node's link
/// carries what one rank sends), within one node shared memory. Contention of several
/// rings on one link, switch oversubscription and congestion are not modelled.
public struct AllreduceModel: Equatable, Sendable {
    /// One node's network link, bytes per second each way.
    public var linkBytesPerSecond: Double
    /// Seconds per message across the network (MPI over TCP: tens of µs).
    public var linkLatency: Double
    /// Between ranks of one node (shared memory), bytes per second and seconds per message.
    public var nodeBytesPerSecond: Double
    public var nodeLatency: Double

    public init(linkBytesPerSecond: Double, linkLatency: Double, nodeBytesPerSecond: Double = 5e9, nodeLatency: Double = 1e-6) {
        (self.linkBytesPerSecond, self.linkLatency) = (linkBytesPerSecond, linkLatency)
        (self.nodeBytesPerSecond, self.nodeLatency) = (nodeBytesPerSecond, nodeLatency)
    }

    /// Seconds to sum one bucket of `bytes` over `nodes` × `ranksPerNode` ranks.
    public func seconds(bytes: Int, nodes: Int, ranksPerNode: Int) -> Double {
        let p = nodes * ranksPerNode
        guard p > 1 else { return 0 }
        let (alpha, beta) = nodes > 1 ? (linkLatency, linkBytesPerSecond) : (nodeLatency, nodeBytesPerSecond)
        let s = Double(bytes), steps = Double(Int.bitWidth - (p - 1).leadingZeroBitCount)
        let ring = 2 * Double(p - 1) * (alpha + s / (Double(p) * beta))
        let doubling = steps * (alpha + s / beta)
        return min(ring, doubling)
    }

    /// Seconds for every bucket in turn (buckets do not share the link at once).
    public func seconds(buckets: [Int], nodes: Int, ranksPerNode: Int) -> Double {
        buckets.reduce(0) { $0 + seconds(bytes: $1, nodes: nodes, ranksPerNode: ranksPerNode) }
    }

    /// Bytes per second for a link speed such as `10gbit`, `25Gbit`, `100mbit` or `1.5gbit`.
    public static func linkSpeed(_ text: String) -> Double? {
        let lower = text.lowercased()
        for (unit, factor) in [("gbit", 1e9), ("mbit", 1e6)] where lower.hasSuffix(unit) {
            guard let value = Double(lower.dropLast(unit.count)), value > 0, value.isFinite else { return nil }
            return value * factor / 8
        }
        return nil
    }
}
