/// The value range of an exported graph's input and output pixels: srdist's own 0…255
/// (EDSR-PyTorch's `rgb_range` 255) or 0…1, which most deployment pipelines feed.
public enum InputRange: Int, Sendable, CaseIterable {
    case byte = 255
    case unit = 1

    /// What one pixel level of 0…255 is in this range's units.
    var scaleTo255: Float { Float(255 / rawValue) }
}
