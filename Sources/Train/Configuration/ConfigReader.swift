import Foundation

/// A user-facing configuration error; the message names the file and the key.
public struct ConfigError: Error, CustomStringConvertible, LocalizedError {
    public let description: String
    public init(_ message: String) { description = message }
    public var errorDescription: String? { description }
}

/// Reads typed values out of one JSON object with strict checking: every key must be
/// read by the caller (an unread key is unknown and refused), and a wrong type or an
/// impossible value is reported as `FILE: key 'section.key' …`.
struct ConfigSection {
    let file: String
    let path: String
    let values: [String: Any]
    private var read: Set<String> = []

    init(file: String, path: String, values: [String: Any]) {
        (self.file, self.path, self.values) = (file, path, values)
    }

    func key(_ k: String) -> String { path.isEmpty ? k : "\(path).\(k)" }

    func fail(_ k: String, _ why: String) -> ConfigError { ConfigError("\(file): key '\(key(k))' \(why)") }

    mutating func raw(_ k: String) -> Any? {
        read.insert(k)
        guard let v = values[k], !(v is NSNull) else { return nil }
        return v
    }

    /// An integer in `lo…hi`: every number srdist sizes memory or loops by has an
    /// upper bound, so an absurd value is a line naming the key instead of a crash.
    mutating func int(_ k: String, _ fallback: Int? = nil, min lo: Int, max hi: Int) throws -> Int {
        guard let v = raw(k) else {
            if let fallback { return fallback }
            throw fail(k, "is required")
        }
        guard let i = Self.integer(v) else { throw fail(k, "must be an integer") }
        if i < lo { throw fail(k, "must be at least \(lo), got \(i)") }
        if i > hi { throw fail(k, "must be at most \(hi), got \(i)") }
        return i
    }

    /// An integer in `lo…hi`, or nil when the key is absent (or null).
    mutating func optionalInt(_ k: String, min lo: Int, max hi: Int) throws -> Int? {
        guard raw(k) != nil else { return nil }
        return try int(k, min: lo, max: hi)
    }

    /// `v` as an Int when it is a JSON integer (1e3 counts; 2.5, true and 1e300 do not).
    static func integer(_ v: Any) -> Int? {
        guard let n = v as? NSNumber, String(cString: n.objCType) != "c" else { return nil }
        // Past 2^63 there is no Int; every bound srdist checks is far below 2^53.
        guard n.doubleValue.magnitude < 0x1p63 else { return nil }
        return Int(exactly: n.doubleValue)
    }

    mutating func double(_ k: String, _ fallback: Double? = nil, above lo: Double? = nil, max hi: Double) throws -> Double {
        guard let v = raw(k) else {
            if let fallback { return fallback }
            throw fail(k, "is required")
        }
        guard let n = v as? NSNumber, !isBool(n), n.doubleValue.isFinite else { throw fail(k, "must be a number") }
        if let lo, !(n.doubleValue > lo) { throw fail(k, "must be greater than \(lo), got \(n.doubleValue)") }
        if n.doubleValue > hi { throw fail(k, "must be at most \(hi), got \(n.doubleValue)") }
        return n.doubleValue
    }

    mutating func string(_ k: String, _ fallback: String? = nil, oneOf choices: [String]? = nil) throws -> String {
        guard let v = raw(k) else {
            if let fallback { return fallback }
            throw fail(k, "is required")
        }
        guard let s = v as? String else { throw fail(k, "must be a string") }
        if let choices, !choices.contains(s) {
            throw fail(k, "must be one of \(choices.map { "\"\($0)\"" }.joined(separator: ", ")), got \"\(s)\"")
        }
        return s
    }

    /// A string decoded into its enum: one of `choices`' raw values (listed in that order
    /// when it is not), else `fallback` when absent.
    mutating func choice<E: RawRepresentable>(_ k: String, _ fallback: E, oneOf choices: [E]) throws -> E where E.RawValue == String {
        let text = try string(k, fallback.rawValue, oneOf: choices.map(\.rawValue))
        return choices.first { $0.rawValue == text }!
    }

    /// A run or stage name: it names folders and is stored in every checkpoint, so it is
    /// 1 to 255 bytes (a file name's limit) and holds no control character.
    mutating func name(_ k: String, _ fallback: String? = nil) throws -> String {
        let s = try string(k, fallback)
        guard (1...255).contains(s.utf8.count) else { throw fail(k, "must be 1 to 255 bytes long, got \(s.utf8.count)") }
        guard !s.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw fail(k, "must not contain control characters")
        }
        return s
    }

    mutating func optionalString(_ k: String) throws -> String? {
        guard raw(k) != nil else { return nil }
        return try string(k)
    }

    mutating func bool(_ k: String, _ fallback: Bool) throws -> Bool {
        guard let v = raw(k) else { return fallback }
        guard let n = v as? NSNumber, isBool(n) else { throw fail(k, "must be true or false") }
        return n.boolValue
    }

    mutating func section(_ k: String) throws -> ConfigSection {
        guard let v = raw(k) else { return ConfigSection(file: file, path: key(k), values: [:]) }
        guard let d = v as? [String: Any] else { throw fail(k, "must be an object") }
        return ConfigSection(file: file, path: key(k), values: d)
    }

    /// Refuses keys nobody asked for (typos must not silently fall back to defaults).
    func finish() throws {
        if let extra = values.keys.filter({ !read.contains($0) }).sorted().first {
            throw fail(extra, "is unknown")
        }
    }

    /// JSONSerialization hands booleans back as char-typed NSNumbers ("c"); JSON
    /// numbers never come back with that type.
    private func isBool(_ n: NSNumber) -> Bool { String(cString: n.objCType) == "c" }
}
