import CHDF5
import CHDF5Shims

/// A failed HDF5 call: what srdist was doing plus HDF5's most specific reason.
/// `CheckpointFile` turns it into a `CheckpointError` naming the file.
struct HDF5Error: Error {
    let message: String
    /// False for a file HDF5 reads fine but srdist refuses to (a link or storage
    /// outside the file, a filter of unbounded output): not damage, a rule.
    var damaged = true

    /// A readable file's content that srdist refuses.
    init(refusing message: String) { (self.message, damaged) = (message, false) }

    /// Captures the innermost message of HDF5's error stack for the call that just failed.
    init(_ what: String) {
        let reason = innermostHDF5Message()
        // Some HDF5 reasons span lines (the sec2 driver's write report); keep one.
        message = reason.map { "\(what) (\($0.split(whereSeparator: \.isNewline).joined(separator: " ")))" } ?? what
    }
}

/// The most specific description on HDF5's current error stack (for example
/// "truncated file: eof = 4096, …"), or nil when the stack is empty.
private func innermostHDF5Message() -> String? {
    var found: String?
    // H5E_DEFAULT is `(hid_t)0`, a cast macro Swift cannot import.
    _ = withUnsafeMutablePointer(to: &found) { box in
        H5Ewalk2(0, H5E_WALK_UPWARD, { n, desc, data in
            guard n == 0, let desc, let text = desc.pointee.desc, let data else { return 0 }
            data.assumingMemoryBound(to: String?.self).pointee = String(cString: text)
            return 0
        }, box)
    }
    return found
}

/// Runs an HDF5 call returning herr_t/htri_t/ssize_t and throws on a negative result.
@discardableResult
func h5check<T: BinaryInteger>(_ result: T, _ what: @autoclosure () -> String) throws -> T {
    guard result >= 0 else { throw HDF5Error(what()) }
    return result
}

/// An HDF5 identifier (file, group, dataset, attribute, dataspace, datatype or property
/// list) that is closed exactly once, when the object goes away.
final class HDF5Object {
    let id: hid_t
    private let closer: (hid_t) -> herr_t

    /// Takes ownership of `id`; throws (with `what`) when the call that made it failed.
    init(_ id: hid_t, _ what: @autoclosure () -> String, close: @escaping (hid_t) -> herr_t) throws {
        guard id >= 0 else { throw HDF5Error(what()) }
        self.id = id
        closer = close
    }

    deinit { _ = closer(id) }

    static func group(_ id: hid_t, _ what: @autoclosure () -> String) throws -> HDF5Object { try HDF5Object(id, what(), close: H5Gclose) }
    static func dataset(_ id: hid_t, _ what: @autoclosure () -> String) throws -> HDF5Object { try HDF5Object(id, what(), close: H5Dclose) }
    static func attribute(_ id: hid_t, _ what: @autoclosure () -> String) throws -> HDF5Object { try HDF5Object(id, what(), close: H5Aclose) }
    static func space(_ id: hid_t, _ what: @autoclosure () -> String) throws -> HDF5Object { try HDF5Object(id, what(), close: H5Sclose) }
    static func type(_ id: hid_t, _ what: @autoclosure () -> String) throws -> HDF5Object { try HDF5Object(id, what(), close: H5Tclose) }
    static func plist(_ id: hid_t, _ what: @autoclosure () -> String) throws -> HDF5Object { try HDF5Object(id, what(), close: H5Pclose) }

    /// A scalar dataspace (one value).
    static func scalarSpace() throws -> HDF5Object { try space(H5Screate(H5S_SCALAR), "H5Screate(scalar)") }

    /// A simple dataspace of `shape` (an empty shape is a scalar).
    static func space(shape: [Int]) throws -> HDF5Object {
        if shape.isEmpty { return try scalarSpace() }
        let dims = shape.map { hsize_t($0) }
        return try space(H5Screate_simple(Int32(dims.count), dims, nil), "H5Screate_simple(\(shape))")
    }

    /// The variable-length UTF-8 string type h5py reads as `str`.
    static func utf8StringType() throws -> HDF5Object {
        let t = try type(H5Tcopy(srdist_h5t_c_s1()), "H5Tcopy(C_S1)")
        try h5check(H5Tset_size(t.id, srdist_h5t_variable()), "H5Tset_size(variable)")
        try h5check(H5Tset_cset(t.id, H5T_CSET_UTF8), "H5Tset_cset(UTF-8)")
        return t
    }

    /// Extent of a dataspace: `[]` for a scalar.
    static func shape(ofSpace space: hid_t) throws -> [Int] {
        let rank = Int(try h5check(H5Sget_simple_extent_ndims(space), "H5Sget_simple_extent_ndims"))
        var dims = [hsize_t](repeating: 0, count: rank)
        try h5check(H5Sget_simple_extent_dims(space, &dims, nil), "H5Sget_simple_extent_dims")
        // A crafted file may declare dimensions past Int.max.
        return try dims.map { d in
            guard let n = Int(exactly: d) else { throw HDF5Error("a dimension of \(d) is too large") }
            return n
        }
    }
}
