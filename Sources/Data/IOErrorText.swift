import Foundation

/// The reason inside a Foundation file error, as one short phrase ("permission
/// denied", "no such file or folder"), instead of its `Error Domain=NSCocoaErrorDomain
/// Code=513 …` dump; other errors give their own description.
/// - Parameter path: the file or folder the failed call was about: when Foundation
///   gives no reason (code 512), a component of it that is a file says why.
public func describeIOError(_ error: Error, path: String? = nil) -> String {
    if let path, let blocker = fileInTheWay(path) { return "\(blocker) is a file, not a folder" }
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

/// The first proper prefix of `path` that exists and is not a folder.
private func fileInTheWay(_ path: String) -> String? {
    var prefix = ""
    for component in (path as NSString).pathComponents.dropLast() {
        prefix = prefix.isEmpty ? component : (prefix as NSString).appendingPathComponent(component)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: prefix, isDirectory: &isFolder), !isFolder.boolValue { return prefix }
    }
    return nil
}

/// Creates `path` and its parents when missing.
/// - Throws: `DataError` naming the folder and why (a file in the way, permissions, a full disk).
public func createFolder(_ path: String) throws {
    do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
        throw DataError("\(path): cannot create the folder (\(describeIOError(error, path: path)))")
    }
}
