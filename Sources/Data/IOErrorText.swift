import Foundation

/// The reason inside a Foundation file error, as one short phrase ("permission
/// denied", "no such file or folder"), instead of its `Error Domain=NSCocoaErrorDomain
/// Code=513 …` dump; other errors give their own description.
public func describeIOError(_ error: Error) -> String {
    let e = error as NSError
    if let underlying = e.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(underlying.code))).lowercased()
    }
    if e.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(e.code))).lowercased() }
    guard e.domain == NSCocoaErrorDomain else { return (error as? LocalizedError)?.errorDescription ?? "\(error)" }
    switch e.code {
    case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return "no such file or folder"
    case NSFileReadNoPermissionError, NSFileWriteNoPermissionError: return "permission denied"
    case NSFileWriteOutOfSpaceError: return "no space left on the device"
    case NSFileWriteVolumeReadOnlyError: return "read-only file system"
    case NSFileWriteFileExistsError: return "a file of that name exists"
    default: return "file error \(e.code)"
    }
}
