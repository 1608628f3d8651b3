import Foundation

/// This process's memory as the kernel accounts it (`/proc/self/smaps_rollup`), in
/// MiB: `private` (Private_Clean + Private_Dirty) is what the process alone holds;
/// `pss` shares every page among the processes that map it, so the PSS of all ranks
/// adds up to what the node holds for them (the page cache aside).
public struct MemoryUsage: Sendable {
    public var rss = 0.0, pss = 0.0, privateMB = 0.0, peakRSS = 0.0

    /// Reads the current figures; zeros where the kernel does not report them.
    public static func current() -> MemoryUsage {
        var usage = MemoryUsage()
        func kib(_ text: String, _ key: String) -> Double {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }),
                  let value = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return 0 }
            return value / 1024
        }
        if let rollup = try? String(contentsOfFile: "/proc/self/smaps_rollup", encoding: .utf8) {
            usage.rss = kib(rollup, "Rss")
            usage.pss = kib(rollup, "Pss")
            usage.privateMB = kib(rollup, "Private_Clean") + kib(rollup, "Private_Dirty")
        }
        usage.peakRSS = peakRSSMegabytes()
        return usage
    }
}
