import Machine

extension ThreadsPerRank {
    /// `train.threads_per_rank`: a count (0, the default: OMP_NUM_THREADS or the node's
    /// cores over its ranks) or "auto".
    static func parse(_ t: inout ConfigSection) throws -> ThreadsPerRank {
        if let text = t.raw("threads_per_rank") as? String {
            guard text == "auto" else { throw t.fail("threads_per_rank", "must be a thread count or \"auto\", got \"\(text)\"") }
            return .auto
        }
        let n = try t.int("threads_per_rank", 0, min: 0, max: 4096)
        return n == 0 ? .environment : .fixed(n)
    }
}
