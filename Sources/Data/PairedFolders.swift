import Foundation

/// The `paired` layout's LR side: the user's own LR images, in one folder per scale
/// (`lrRoot` holding `{scale}`) or one folder for all, matched to the HR images by
/// stem through `template` — BasicSR's `filename_tmpl`, with `{stem}` for the HR
/// image's name without its extension and `{scale}` for the scale. Extensions are
/// free on both sides (`.png`, `.jpg`, `.jpeg`).
public struct PairedFolders: Equatable, Sendable {
    /// The LR folder, `{scale}` replaced by the scale (e.g. `LR/X{scale}`).
    public var lrRoot: String
    /// An LR image's name without extension, e.g. `{stem}` or `{stem}x{scale}`.
    public var template: String

    public static let defaultTemplate = "{stem}"

    public init(lrRoot: String, template: String = defaultTemplate) { (self.lrRoot, self.template) = (lrRoot, template) }

    /// Why `template` cannot name files (nil when it can): it must hold `{stem}` once,
    /// no other `{…}`, and no `/`.
    public static func problem(template: String) -> String? {
        if template.components(separatedBy: "{stem}").count != 2 { return "must hold {stem} exactly once" }
        if template.contains("/") { return "must not hold '/'" }
        let rest = template.replacingOccurrences(of: "{stem}", with: "").replacingOccurrences(of: "{scale}", with: "")
        if rest.contains("{") || rest.contains("}") { return "may hold only the placeholders {stem} and {scale}" }
        return nil
    }

    /// True when the LR file names differ per scale (through the folder or the template).
    public var namesScale: Bool { lrRoot.contains("{scale}") || template.contains("{scale}") }

    public func lrFolder(scale: Int) -> String { lrRoot.replacingOccurrences(of: "{scale}", with: "\(scale)") }

    func lrStem(_ stem: String, scale: Int) -> String {
        template.replacingOccurrences(of: "{stem}", with: stem).replacingOccurrences(of: "{scale}", with: "\(scale)")
    }

    /// The HR images of `hrRoot` that `range` selects, each with its LR file at `scale`.
    /// - Throws: `DataError` naming the LR folder when an HR image in `range` has no LR
    ///   image or an LR image matches no HR image of the folder: how many, and the
    ///   first names of each side.
    func entries(hrRoot: String, scale: Int, range: ClosedRange<Int>?) throws -> [DatasetEntry] {
        let all = try DatasetLayout.imageFiles(in: hrRoot, range: nil)
        let chosen = try DatasetLayout.imageFiles(in: hrRoot, range: range)
        let folder = lrFolder(scale: scale)
        // One file per stem: the listing refuses two files of one name.
        let lrFiles = try DatasetLayout.imageFiles(in: folder, range: nil)
        let lrByStem = Dictionary(uniqueKeysWithValues: lrFiles.map { (DatasetLayout.stem($0), $0) })
        let expected = Set(all.map { lrStem(DatasetLayout.stem($0), scale: scale) })
        let missing = chosen.filter { lrByStem[lrStem(DatasetLayout.stem($0), scale: scale)] == nil }
        let unmatched = lrFiles.filter { !expected.contains(DatasetLayout.stem($0)) }
        guard missing.isEmpty && unmatched.isEmpty else {
            func firstFew(_ names: [String]) -> String { names.prefix(3).joined(separator: ", ") + (names.count > 3 ? ", …" : "") }
            var parts: [String] = []
            if !missing.isEmpty { parts.append("\(missing.count) HR image(s) of \(hrRoot) have no LR image named \(template) here (\(firstFew(missing)))") }
            if !unmatched.isEmpty { parts.append("\(unmatched.count) LR image(s) match no HR image (\(firstFew(unmatched)))") }
            throw DataError("\(folder): ×\(scale) pairs do not match: " + parts.joined(separator: "; "))
        }
        return chosen.map { file in
            let stem = DatasetLayout.stem(file)
            return DatasetEntry(name: stem, hrPath: "\(hrRoot)/\(file)", lrPath: "\(folder)/\(lrByStem[lrStem(stem, scale: scale)]!)")
        }
    }
}
