import Foundation

/// 64-bit FNV-1a over bytes: a stable fingerprint for comparing ranks' configs, layouts,
/// binaries and parameters (identical bytes ⇔ equal hash, up to collisions).
public struct StableHash: Sendable {
    public private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    public init() {}

    /// Mixes in raw bytes.
    public mutating func add(_ bytes: UnsafeRawBufferPointer) {
        var h = value
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        value = h
    }

    /// Mixes in a string's UTF-8 bytes followed by a separator, so ("ab","c") ≠ ("a","bc").
    public mutating func add(_ text: String) {
        var t = text + "\u{0}"
        t.withUTF8 { add(UnsafeRawBufferPointer($0)) }
    }

    /// Mixes in `count` floats' bit patterns, four bytes at a time (a parameter arena
    /// of 1.4 M floats hashes in a few milliseconds).
    public mutating func add(_ floats: UnsafePointer<Float>, count: Int) {
        var h = value
        for i in 0..<count { h = (h ^ UInt64(floats[i].bitPattern)) &* 0x0000_0100_0000_01B3 }
        value = h
    }

    /// Hash of a string's UTF-8 bytes alone, without `add`'s separator: plain FNV-1a,
    /// the stable number of a name (a tensor's random stream, a cache folder's tag).
    public static func ofBytes(_ text: String) -> UInt64 {
        var h = StableHash(), t = text
        t.withUTF8 { h.add(UnsafeRawBufferPointer($0)) }
        return h.value
    }

    /// Hash of a string.
    public static func of(_ text: String) -> UInt64 {
        var h = StableHash()
        h.add(text)
        return h.value
    }

    /// Hash of a float buffer's bits.
    public static func of(_ floats: UnsafePointer<Float>, count: Int) -> UInt64 {
        var h = StableHash()
        h.add(floats, count: count)
        return h.value
    }

    /// Hash of the running executable's bytes: the code version, so ranks started from
    /// different builds are caught at start-up.
    public static func ofExecutable() throws -> UInt64 {
        let path = "/proc/self/exe"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FingerprintError("\(path): cannot read the running executable to fingerprint the code version")
        }
        var h = StableHash()
        data.withUnsafeBytes { h.add($0) }
        return h.value
    }
}

/// A fingerprint that could not be taken (the running executable is unreadable).
public struct FingerprintError: OneLineError {
    public let message: String
    init(_ message: String) { self.message = message }
}
