import Foundation

/// How a dataset's files are arranged on disk (`data.kind` in the config).
public enum DatasetLayout: String, Sendable, CaseIterable {
    /// `root/DIV2K_train_HR/0001.png` with `root/DIV2K_train_LR_bicubic/X2/0001x2.png`
    /// (`LR_unknown` for the unknown degradation); images 0801… may also sit in
    /// `DIV2K_valid_HR` / `DIV2K_valid_LR_bicubic`.
    case div2k
    /// A benchmark set: `root/HR/baby.png` with `root/LR_bicubic/X2/babyx2.png`.
    case benchmark
    /// A plain folder of HR images (PNG or JPEG); LR images are always generated.
    case folder
    /// A folder of HR images and the user's LR images beside it (`PairedFolders`).
    case paired
}

/// One image of a dataset: where its HR file is, and where its LR file for the
/// scale would be (nil when the layout has none and the LR is always generated).
public struct DatasetEntry: Equatable, Sendable {
    public var name: String
    public var hrPath: String
    public var lrPath: String?
}

extension DatasetLayout {
    /// The layout of a folder named without a kind (`eval --data`, `data.validation_root`):
    /// a benchmark set when it has `HR/`, a DIV2K root when it has `DIV2K_train_HR/`,
    /// else a plain folder of HR images.
    public static func detect(root: String) -> DatasetLayout {
        let fm = FileManager.default
        if fm.fileExists(atPath: "\(root)/HR") { return .benchmark }
        if fm.fileExists(atPath: "\(root)/DIV2K_train_HR") { return .div2k }
        return .folder
    }

    /// Lists the images `range` selects (all images when nil), in index order, with
    /// their LR files of `degradation` (div2k, benchmark) or from `paired` (paired).
    /// - Throws: `DataError` naming the folder or file when it is missing, the folder
    ///   holds no image, `range` reaches past the images present, the unknown
    ///   degradation is asked of a layout without LR files, or paired names do not match.
    public func entries(root: String, scale: Int, range: ClosedRange<Int>?, degradation: Degradation = .bicubic,
                        paired: PairedFolders? = nil) throws -> [DatasetEntry] {
        switch self {
        case .div2k:
            try Self.requireFolder("\(root)/DIV2K_train_HR")
            let entries = (range ?? 1...800).map { div2kEntry(root: root, number: $0, scale: scale, degradation: degradation) }
            // Bicubic LR images may be made (generate_lr); unknown ones must all be there.
            if degradation == .unknown {
                for folder in Set(entries.compactMap { $0.lrPath.map { ($0 as NSString).deletingLastPathComponent } }).sorted() {
                    try Self.requireFolder(folder, "the unknown degradation reads DIV2K's LR_unknown images")
                }
            }
            return entries
        case .benchmark:
            let files = try Self.imageFiles(in: "\(root)/HR", range: range)
            if degradation == .unknown { try Self.requireFolder("\(root)/\(degradation.folder)/X\(scale)", "the unknown degradation reads its LR images") }
            return files.map { file in
                let stem = Self.stem(file)
                return DatasetEntry(name: stem, hrPath: "\(root)/HR/\(file)", lrPath: BenchmarkPaths.lr(root: root, name: stem, scale: scale, degradation: degradation))
            }
        case .folder:
            guard degradation == .bicubic else {
                throw DataError("\(root): a folder of HR images has no LR images of the unknown degradation, and none can be made; use kind div2k, benchmark or paired")
            }
            let files = try Self.imageFiles(in: root, range: range)
            return files.map { DatasetEntry(name: Self.stem($0), hrPath: "\(root)/\($0)", lrPath: nil) }
        case .paired:
            guard let paired else { throw DataError("\(root): paired HR images need their LR folder (data.lr_root, eval --lr)") }
            return try paired.entries(hrRoot: root, scale: scale, range: range)
        }
    }

    /// DIV2K image `number`: from the train folders, or the valid folders when only
    /// they hold it (the official archives split 0001–0800 and 0801–0900). A number
    /// in neither is reported by its train path when loading.
    func div2kEntry(root: String, number: Int, scale: Int, degradation: Degradation) -> DatasetEntry {
        let name = String(format: "%04d", number)
        let split = !exists("\(root)/DIV2K_train_HR/\(name).png") && exists("\(root)/DIV2K_valid_HR/\(name).png") ? "valid" : "train"
        return DatasetEntry(name: name, hrPath: "\(root)/DIV2K_\(split)_HR/\(name).png",
                            lrPath: "\(root)/DIV2K_\(split)_\(degradation.folder)/X\(scale)/\(name)x\(scale).png")
    }

    /// The sorted image names (`ImageFile.extensions`) in `folder`, restricted to the
    /// 1-based positions `range`.
    /// - Throws: `DataError` naming the folder when it is missing or holds no image,
    ///   `range` reaches past its images, or two images share a name (their cache files would).
    public static func imageFiles(in folder: String, range: ClosedRange<Int>?) throws -> [String] {
        try requireFolder(folder)
        let all = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { ImageFile.extensions.contains(($0 as NSString).pathExtension.lowercased()) && !$0.hasPrefix(".") }.sorted()
        guard !all.isEmpty else { throw DataError("\(folder): no PNG or JPEG images in the folder") }
        var seen: [String: String] = [:]
        for file in all {
            if let other = seen.updateValue(file, forKey: stem(file)) { throw DataError("\(folder): \(other) and \(file) have the same name; keep one") }
        }
        guard let range else { return all }
        guard range.upperBound <= all.count else {
            throw DataError("\(folder): data_range asks for images \(range.lowerBound)-\(range.upperBound) but the folder holds \(all.count) images")
        }
        return Array(all[(range.lowerBound - 1)..<range.upperBound])
    }

    /// A file name without its extension: the image's name in the cache and in LR names.
    static func stem(_ file: String) -> String { (file as NSString).deletingPathExtension }

    static func requireFolder(_ path: String, _ why: String? = nil) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            throw DataError("\(path): folder not found" + (why.map { " (\($0))" } ?? ""))
        }
    }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
}
