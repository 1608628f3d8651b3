import Foundation

/// Turns the bus error of reading a mapped cache file that shrank under the map (another
/// process truncated or rewrote it in place while a run held it) into one line naming
/// the file and exit status 1, instead of a crash with no word of which file or why.
///
/// `MappedFile` records each live map here; the handler, installed with the first map,
/// looks the faulting address up among them. A bus error at any other address is not
/// ours: the default action is restored and the fault happens again, as before.
enum MappedFileFault {
    /// Live maps at most: a dataset of 4096 images at three scales fits many times over.
    static let capacity = 1 << 16
    // Plain memory the handler may read (no Swift runtime calls there): start, end and
    // the path's C string per slot; end 0 marks a free slot.
    nonisolated(unsafe) private static let starts = UnsafeMutablePointer<UInt>.allocate(capacity: capacity)
    nonisolated(unsafe) private static let ends: UnsafeMutablePointer<UInt> = {
        let p = UnsafeMutablePointer<UInt>.allocate(capacity: capacity)
        p.initialize(repeating: 0, count: capacity)
        return p
    }()
    nonisolated(unsafe) private static let paths = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
    nonisolated(unsafe) private static var used = 0
    private static let lock = NSLock()
    private static let installed: Void = {
        var action = sigaction()
        action.__sigaction_handler.sa_sigaction = { _, info, _ in
            let address = UInt(bitPattern: info?.pointee._sifields._sigfault.si_addr)
            for slot in 0..<MappedFileFault.used where MappedFileFault.ends[slot] != 0 {
                guard address >= MappedFileFault.starts[slot], address < MappedFileFault.ends[slot], let path = MappedFileFault.paths[slot] else { continue }
                MappedFileFault.say("srdist: ")
                _ = write(2, path, strlen(path))
                MappedFileFault.say(": the image cache file was truncated or rewritten while this run had it mapped (bus error); delete it (or the cache folder) and resume\n")
                _exit(1)
            }
            signal(SIGBUS, SIG_DFL)
        }
        action.sa_flags = SA_SIGINFO
        sigaction(SIGBUS, &action, nil)
    }()

    /// Only write(2): the handler's way to print a static text.
    private static func say(_ text: StaticString) { _ = write(2, text.utf8Start, text.utf8CodeUnitCount) }

    /// Records a live map of `path`; returns its slot (nil when the table is full: that
    /// map's bus error stays a plain crash).
    static func record(base: UnsafeRawPointer, length: Int, path: String) -> Int? {
        _ = installed
        lock.lock()
        defer { lock.unlock() }
        guard let slot = (0..<used).first(where: { ends[$0] == 0 }) ?? (used < capacity ? used : nil) else { return nil }
        (starts[slot], paths[slot]) = (UInt(bitPattern: base), strdup(path))
        ends[slot] = UInt(bitPattern: base) + UInt(length)
        used = max(used, slot + 1)
        return slot
    }

    /// Forgets the map in `slot` (at unmap).
    static func forget(_ slot: Int) {
        lock.lock()
        defer { lock.unlock() }
        ends[slot] = 0
        free(paths[slot])
        paths[slot] = nil
    }
}
