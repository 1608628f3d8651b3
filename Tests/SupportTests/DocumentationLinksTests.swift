import Foundation
import XCTest

/// Every relative link in README.md, docs/*.md, bench/RESULTS.md and Sources/*/README.md
/// names a file or folder of the repository — never one outside it, which a clone does
/// not have — and a `#fragment` into a Markdown file names one of its headings, as
/// GitHub makes their anchors.
final class DocumentationLinksTests: XCTestCase {
    /// The repository root: this file is Tests/SupportTests/DocumentationLinksTests.swift.
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().standardizedFileURL.path

    func documents() throws -> [String] {
        let fm = FileManager.default
        let docs = try fm.contentsOfDirectory(atPath: root + "/docs").filter { $0.hasSuffix(".md") }.map { "docs/" + $0 }
        let targets = try fm.contentsOfDirectory(atPath: root + "/Sources").map { "Sources/\($0)/README.md" }
            .filter { fm.fileExists(atPath: root + "/" + $0) }
        return ["README.md", "bench/RESULTS.md"] + docs.sorted() + targets.sorted()
    }

    /// Markdown without its fenced code blocks, where `](` is code, not a link.
    static func prose(_ text: String) -> String {
        var inFence = false
        return text.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            if line.hasPrefix("```") { inFence.toggle(); return false }
            return !inFence
        }.joined(separator: "\n")
    }

    /// The targets of `[text](target)` links.
    static func links(in text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: #"\]\(([^)\s]+)\)"#)
        let ns = text as NSString
        return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range(at: 1)) }
    }

    /// GitHub's anchor for a heading: lower case, only letters, digits, spaces, `-` and
    /// `_` kept, spaces turned into `-`.
    static func anchor(_ heading: String) -> String {
        let plain = heading.replacingOccurrences(of: "`", with: "")
            .replacingOccurrences(of: #"\[([^\]]*)\]\([^)]*\)"#, with: "$1", options: .regularExpression)
        let kept = plain.trimmingCharacters(in: .whitespaces).lowercased().unicodeScalars.filter {
            CharacterSet.alphanumerics.contains($0) || $0 == " " || $0 == "-" || $0 == "_"
        }
        return String(String.UnicodeScalarView(kept)).replacingOccurrences(of: " ", with: "-")
    }

    static func anchors(ofMarkdown text: String) -> Set<String> {
        Set(prose(text).split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("#"), let space = line.firstIndex(of: " ") else { return nil }
            return anchor(String(line[line.index(after: space)...]))
        })
    }

    func testEveryRelativeLinkResolvesInsideTheRepository() throws {
        let documents = try documents()
        XCTAssertTrue(documents.contains("docs/design.md"), "\(documents)")
        var checked = 0
        for document in documents {
            let text = Self.prose(try String(contentsOfFile: root + "/" + document, encoding: .utf8))
            let folder = URL(fileURLWithPath: root + "/" + document).deletingLastPathComponent()
            for link in Self.links(in: text) where link.range(of: #"^[a-z]+:"#, options: .regularExpression) == nil {
                checked += 1
                let parts = link.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                let target = parts[0].isEmpty ? root + "/" + document
                    : folder.appendingPathComponent(parts[0]).standardizedFileURL.path
                guard target == root || target.hasPrefix(root + "/") else {
                    XCTFail("\(document): \(link) points outside the repository")
                    continue
                }
                guard FileManager.default.fileExists(atPath: target) else {
                    XCTFail("\(document): \(link) names no file of the repository")
                    continue
                }
                if parts.count == 2, target.hasSuffix(".md") {
                    let headings = Self.anchors(ofMarkdown: try String(contentsOfFile: target, encoding: .utf8))
                    XCTAssertTrue(headings.contains(parts[1]), "\(document): \(link) names no heading of \(target)")
                }
            }
        }
        XCTAssertGreaterThan(checked, 50, "the documents' links were found")
    }

    /// The anchor rule on headings the documents use: punctuation and symbols dropped.
    func testAnchorsFollowGitHub() {
        XCTAssertEqual(Self.anchor("Choosing ranks × threads"), "choosing-ranks--threads")
        XCTAssertEqual(Self.anchor("bf16 precision (`train.precision`)"), "bf16-precision-trainprecision")
        XCTAssertEqual(Self.anchor("Data at DIV2K's scale: memory, build, data wait"), "data-at-div2ks-scale-memory-build-data-wait")
    }
}
