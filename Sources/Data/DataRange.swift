/// EDSR-PyTorch's `data_range`: `"1-800/801-810"` trains on images 1…800 and
/// validates on 801…810; `"1-800"` has no validation part. Indices are 1-based:
/// DIV2K image numbers (0001.png …), or positions in the sorted file list of a
/// folder or benchmark set.
public struct DataRange: Equatable, Sendable {
    public var train: ClosedRange<Int>
    public var validation: ClosedRange<Int>?

    public init(train: ClosedRange<Int>, validation: ClosedRange<Int>? = nil) {
        (self.train, self.validation) = (train, validation)
    }

    /// Largest index a range may reach: a DIV2K range becomes one file entry per
    /// index, so `1-99999999999` must not allocate before the files are looked at.
    public static let maxIndex = 1_000_000

    /// Parses `"a-b"` or `"a-b/c-d"` (1 ≤ a ≤ b ≤ `maxIndex`); nil when malformed.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard (1...2).contains(parts.count) else { return nil }
        let ranges = parts.map { part -> ClosedRange<Int>? in
            let ends = part.split(separator: "-", omittingEmptySubsequences: false)
            guard ends.count == 2, let a = Int(ends[0]), let b = Int(ends[1]), a >= 1, a <= b, b <= Self.maxIndex else { return nil }
            return a...b
        }
        guard let train = ranges[0] else { return nil }
        if parts.count == 2 {
            guard let validation = ranges[1] else { return nil }
            self.init(train: train, validation: validation)
        } else {
            self.init(train: train)
        }
    }

    public var description: String {
        "\(train.lowerBound)-\(train.upperBound)" + (validation.map { "/\($0.lowerBound)-\($0.upperBound)" } ?? "")
    }
}
