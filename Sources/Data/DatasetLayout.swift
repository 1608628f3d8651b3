import Foundation

/// How a dataset's files are arranged on disk (`data.kind` in the config).
public enum DatasetLayout: String, Sendable, CaseIterable {
    /// `root/DIV2K_train_HR/0001.png` with `root/DIV2K_train_LR_bicubic/X2/0001x2.png`;
    /// images 0801… may also sit in `DIV2K_valid_HR` / `DIV2K_valid_LR_bicubic`.
    case div2k
    /// A benchmark set: `root/HR/baby.png` with `root/LR_bicubic/X2/babyx2.png`.
    case benchmark
    /// A plain folder of HR PNGs; LR images are always generated.
    case folder
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

    /// Lists the images `range` selects (all images when nil), in index order.
    /// - Throws: `DataError` naming the folder or file when it is missing, the folder
    ///   holds no PNG, or `range` reaches past the images present.
    public func entries(root: String, scale: Int, range: ClosedRange<Int>?) throws -> [DatasetEntry] {
        switch self {
        case .div2k:
            try requireFolder("\(root)/DIV2K_train_HR")
            return (range ?? 1...800).map { div2kEntry(root: root, number: $0, scale: scale) }
        case .benchmark:
            let files = try pngFiles(in: "\(root)/HR", range: range)
            return files.map { file in
                let stem = (file as NSString).deletingPathExtension
                return DatasetEntry(name: stem, hrPath: "\(root)/HR/\(file)", lrPath: BenchmarkPaths.lr(root: root, name: stem, scale: scale))
            }
        case .folder:
            let files = try pngFiles(in: root, range: range)
            return files.map { DatasetEntry(name: ($0 as NSString).deletingPathExtension, hrPath: "\(root)/\($0)", lrPath: nil) }
        }
    }

    /// DIV2K image `number`: from the train folders, or the valid folders when only
    /// they hold it (the official archives split 0001–0800 and 0801–0900). A number
    /// in neither is reported by its train path when loading.
    func div2kEntry(root: String, number: Int, scale: Int) -> DatasetEntry {
        let name = String(format: "%04d", number)
        let split = !exists("\(root)/DIV2K_train_HR/\(name).png") && exists("\(root)/DIV2K_valid_HR/\(name).png") ? "valid" : "train"
        return DatasetEntry(name: name, hrPath: "\(root)/DIV2K_\(split)_HR/\(name).png",
                            lrPath: "\(root)/DIV2K_\(split)_LR_bicubic/X\(scale)/\(name)x\(scale).png")
    }

    /// The sorted `.png` names in `folder`, restricted to the 1-based positions `range`.
    func pngFiles(in folder: String, range: ClosedRange<Int>?) throws -> [String] {
        try requireFolder(folder)
        let all = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.lowercased().hasSuffix(".png") && !$0.hasPrefix(".") }.sorted()
        guard !all.isEmpty else { throw DataError("\(folder): no PNG images in the folder") }
        guard let range else { return all }
        guard range.upperBound <= all.count else {
            throw DataError("\(folder): data_range asks for images \(range.lowerBound)-\(range.upperBound) but the folder holds \(all.count) PNG images")
        }
        return Array(all[(range.lowerBound - 1)..<range.upperBound])
    }

    func requireFolder(_ path: String) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            throw DataError("\(path): folder not found")
        }
    }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
}
