import Data

/// Where training images come from (`data.kind`): generated in memory, or a dataset on
/// disk in one of the `DatasetLayout`s.
public enum DataKind: Hashable, Sendable, RawRepresentable {
    /// Generated textures, no files.
    case synthetic
    /// Files under `data.root`, arranged as `layout`.
    case dataset(DatasetLayout)

    /// Every kind, in the order config errors list them.
    public static let all: [DataKind] = [.synthetic] + DatasetLayout.allCases.map(DataKind.dataset)

    public init?(rawValue: String) {
        if rawValue == "synthetic" {
            self = .synthetic
        } else if let layout = DatasetLayout(rawValue: rawValue) {
            self = .dataset(layout)
        } else {
            return nil
        }
    }

    /// The config's spelling.
    public var rawValue: String {
        switch self {
        case .synthetic: return "synthetic"
        case let .dataset(layout): return layout.rawValue
        }
    }

    /// The on-disk layout, or nil for synthetic data.
    public var layout: DatasetLayout? {
        if case let .dataset(layout) = self { return layout }
        return nil
    }
}
