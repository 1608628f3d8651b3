import Foundation
import Support

/// An image that cannot be scored (its HR image smaller than the output, or too small
/// for SSIM's window after shaving); the message starts with the image's name.
public struct ScoringError: OneLineError {
    public let message: String
    init(_ message: String) { self.message = message }
}
