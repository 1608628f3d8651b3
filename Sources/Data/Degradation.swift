/// How a dataset's LR images were made from its HR images (`data.degradation`): the
/// two tracks of the NTIRE 2017 challenge the EDSR paper trains for (its section 5).
/// It names the LR folders read: DIV2K's `DIV2K_train_LR_<degradation>/X<s>` and a
/// benchmark set's `LR_<degradation>/X<s>`.
public enum Degradation: String, Sendable, CaseIterable {
    /// Track 1: MATLAB's bicubic `imresize`; missing LR images can be made (`data.generate_lr`).
    case bicubic
    /// Track 2: DIV2K's undisclosed downscaling with severe blur; only files on disk
    /// hold it, so no LR image is ever made.
    case unknown

    /// The LR folder's name part: `LR_bicubic`, `LR_unknown`.
    public var folder: String { "LR_\(rawValue)" }
}
