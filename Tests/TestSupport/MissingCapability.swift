import Foundation

/// A system capability a test needs that no package provides (a tmpfs mount needs root,
/// network namespaces need a privileged container). Lacking one, the test is skipped
/// with this one line, so `launch/test.sh`'s closing count names it; a missing package is
/// not such a case: launch/setup.sh installs it, and the test fails without it.
public func missingCapability(_ capability: String, _ reason: String) -> String {
    "\(capability) unavailable: \(reason.trimmingCharacters(in: .whitespacesAndNewlines))"
}
