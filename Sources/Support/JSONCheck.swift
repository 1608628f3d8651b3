import Foundation

/// The JSON edge's strict pass, run before `JSONSerialization` sees a text: what the
/// parser would accept silently or report without a position is refused here, with
/// the line and column.
///
/// - Syntax errors, at their line and column.
/// - A key given twice in one object (`"steps": 2, "steps": 4`): the parser keeps the
///   last, so one of the user's two values would be ignored without a word.
/// - Numbers the parser would round: beyond ±Double's range (`1e400` is ∞), or an
///   integer written with more magnitude than 2^53, which a double cannot hold exactly
///   (a seed of 2^53 + 1 would become 2^53).
/// - Strings longer than `maxString` bytes, nesting deeper than `maxDepth`.
public struct JSONCheck {
    /// Longest string value or key, in UTF-8 bytes (a path is at most 4096).
    public var maxString = 4096
    /// Deepest nesting of objects and arrays.
    public var maxDepth = 64

    public init(maxString: Int = 4096, maxDepth: Int = 64) { (self.maxString, self.maxDepth) = (maxString, maxDepth) }

    /// Throws unless `bytes` are one JSON value (with surrounding white space) meeting
    /// the rules above.
    /// - Throws: `JSONCheckError`, whose text is "line L, column C: what" (prefix the file).
    public func check(_ bytes: [UInt8]) throws {
        var scanner = Scanner(bytes: bytes, limits: self)
        scanner.space()
        try scanner.value(depth: 0, path: "")
        scanner.space()
        guard scanner.at == bytes.count else { throw scanner.fail("unexpected text after the JSON value") }
    }
}

/// Where and why a text failed `JSONCheck`.
public struct JSONCheckError: Error, CustomStringConvertible, LocalizedError {
    public let line: Int, column: Int, reason: String
    public var description: String { "line \(line), column \(column): \(reason)" }
    public var errorDescription: String? { description }
}

private struct Scanner {
    let bytes: [UInt8]
    let limits: JSONCheck
    var at = 0

    init(bytes: [UInt8], limits: JSONCheck) { (self.bytes, self.limits) = (bytes, limits) }

    func fail(_ reason: String, at offset: Int? = nil) -> JSONCheckError {
        let before = bytes[..<min(offset ?? at, bytes.count)]
        let lineStart = before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        let column = String(decoding: before[lineStart...], as: UTF8.self).count + 1
        return JSONCheckError(line: before.filter { $0 == UInt8(ascii: "\n") }.count + 1, column: column, reason: reason)
    }

    var current: UInt8? { at < bytes.count ? bytes[at] : nil }

    mutating func space() {
        while let c = current, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { at += 1 }
    }

    mutating func expect(_ word: String) throws {
        let w = Array(word.utf8)
        guard at + w.count <= bytes.count, Array(bytes[at..<at + w.count]) == w else { throw fail("expected \(word)") }
        at += w.count
    }

    mutating func value(depth: Int, path: String) throws {
        guard depth <= limits.maxDepth else { throw fail("nested deeper than \(limits.maxDepth) levels") }
        switch current {
        case UInt8(ascii: "{")?: try object(depth: depth + 1, path: path)
        case UInt8(ascii: "[")?: try array(depth: depth + 1, path: path)
        case UInt8(ascii: "\"")?: _ = try string()
        case UInt8(ascii: "t")?: try expect("true")
        case UInt8(ascii: "f")?: try expect("false")
        case UInt8(ascii: "n")?: try expect("null")
        case let c? where c == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c): try number(path: path)
        case nil: throw fail("the text ends where a value is expected")
        default: throw fail("unexpected character where a value is expected")
        }
    }

    mutating func object(depth: Int, path: String) throws {
        at += 1
        var keys = Set<String>()
        space()
        if current == UInt8(ascii: "}") { at += 1; return }
        while true {
            space()
            guard current == UInt8(ascii: "\"") else { throw fail("expected a key in quotes") }
            let keyAt = at
            let key = try string()
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            guard keys.insert(key).inserted else { throw fail("key '\(keyPath)' is given twice in one object", at: keyAt) }
            space()
            guard current == UInt8(ascii: ":") else { throw fail("expected ':' after key '\(keyPath)'") }
            at += 1
            space()
            try value(depth: depth, path: keyPath)
            space()
            if current == UInt8(ascii: ",") { at += 1; continue }
            if current == UInt8(ascii: "}") { at += 1; return }
            throw fail("expected ',' or '}' in an object")
        }
    }

    mutating func array(depth: Int, path: String) throws {
        at += 1
        space()
        if current == UInt8(ascii: "]") { at += 1; return }
        var index = 0
        while true {
            space()
            try value(depth: depth, path: "\(path)[\(index)]")
            index += 1
            space()
            if current == UInt8(ascii: ",") { at += 1; continue }
            if current == UInt8(ascii: "]") { at += 1; return }
            throw fail("expected ',' or ']' in an array")
        }
    }

    /// A string's text (escapes kept as written: only keys are compared, and JSON keys
    /// spelled with different escapes are rare enough to be told apart as written).
    mutating func string() throws -> String {
        let start = at
        at += 1
        while let c = current {
            if c == UInt8(ascii: "\"") {
                at += 1
                guard at - start - 2 <= limits.maxString else {
                    throw fail("a string of \(at - start - 2) bytes, more than \(limits.maxString)", at: start)
                }
                return String(decoding: bytes[(start + 1)..<(at - 1)], as: UTF8.self)
            }
            if c < 0x20 { throw fail("a control character inside a string") }
            at += c == UInt8(ascii: "\\") ? 2 : 1
        }
        throw fail("the text ends inside a string", at: start)
    }

    mutating func number(path: String) throws {
        let start = at
        if current == UInt8(ascii: "-") { at += 1 }
        func digits() -> Int {
            let from = at
            while let c = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) { at += 1 }
            return at - from
        }
        guard digits() > 0 else { throw fail("a number needs digits") }
        var integral = true
        if current == UInt8(ascii: ".") { at += 1; integral = false; guard digits() > 0 else { throw fail("digits expected after '.'") } }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            at += 1
            integral = false
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { at += 1 }
            guard digits() > 0 else { throw fail("digits expected in the exponent") }
        }
        let text = String(decoding: bytes[start..<at], as: UTF8.self)
        let name = path.isEmpty ? "" : " for '\(path)'"
        guard let value = Double(text), value.isFinite else {
            throw fail("the number \(text)\(name) is beyond the range of a double", at: start)
        }
        // Compared as text: 2^53 + 1 reads back as 2^53.
        let magnitude = text.drop { $0 == "-" || $0 == "0" }
        if integral, magnitude.count > 16 || (magnitude.count == 16 && magnitude > "9007199254740992") {
            throw fail("the integer \(text)\(name) is larger than 2^53, which JSON numbers cannot hold exactly", at: start)
        }
    }
}
