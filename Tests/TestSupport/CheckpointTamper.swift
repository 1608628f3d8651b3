import CHDF5
import CHDF5Shims
import Foundation

/// Edits a checkpoint file in place through the HDF5 C API, the way a hostile or
/// damaged file would differ from what srdist writes: attributes of another type or
/// value, tensors declaring shapes their stored bytes cannot hold.
public final class CheckpointTamper {
    private let file: hid_t

    /// Opens `path` read-write.
    public init(_ path: String) throws {
        srdist_h5_silence_errors()
        let fapl = H5Pcreate(srdist_h5p_file_access())
        defer { H5Pclose(fapl) }
        H5Pset_file_locking(fapl, false, true)
        file = H5Fopen(path, srdist_h5f_acc_rdwr(), fapl)
        guard file >= 0 else { throw TamperError("cannot open \(path) read-write") }
    }

    deinit { H5Fclose(file) }

    /// Replaces attribute `name` of the object at `object` ("/", "/state", "/optim").
    public func set(_ object: String, _ name: String, int64 value: Int64) throws {
        var v = value
        try replaceAttribute(object, name, type: srdist_h5t_native_int64(), &v)
    }

    public func set(_ object: String, _ name: String, uint64 value: UInt64) throws {
        var v = value
        try replaceAttribute(object, name, type: srdist_h5t_native_uint64(), &v)
    }

    public func set(_ object: String, _ name: String, double value: Double) throws {
        var v = value
        try replaceAttribute(object, name, type: srdist_h5t_native_double(), &v)
    }

    public func set(_ object: String, _ name: String, string value: String) throws {
        let type = H5Tcopy(srdist_h5t_c_s1())
        defer { H5Tclose(type) }
        H5Tset_size(type, srdist_h5t_variable())
        H5Tset_cset(type, H5T_CSET_UTF8)
        try value.withCString { text in
            var pointer: UnsafePointer<CChar>? = text
            try replaceAttribute(object, name, type: type, &pointer)
        }
    }

    /// Replaces dataset `path` by a float32 dataset of `dims` whose data is never
    /// written (so the file stays small whatever the shape claims).
    public func declare(_ path: String, float32 dims: [UInt64]) throws {
        H5Ldelete(file, path, hid_t(H5P_DEFAULT))
        let space = H5Screate_simple(Int32(dims.count), dims, nil)
        defer { H5Sclose(space) }
        let d = H5Dcreate2(file, path, srdist_h5t_native_float(), space, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT))
        guard d >= 0 else { throw TamperError("cannot create dataset \(path) with shape \(dims)") }
        H5Dclose(d)
    }

    /// Overwrites the first element of float32 dataset `path` with `value`.
    public func poke(_ path: String, _ value: Float) throws {
        let d = H5Dopen2(file, path, hid_t(H5P_DEFAULT))
        guard d >= 0 else { throw TamperError("no dataset \(path)") }
        defer { H5Dclose(d) }
        let space = H5Dget_space(d)
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        var start = [hsize_t](repeating: 0, count: rank), count = [hsize_t](repeating: 1, count: rank)
        H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, nil, &count, nil)
        let memory = H5Screate_simple(1, [1], nil)
        defer { H5Sclose(memory) }
        var v = value
        guard H5Dwrite(d, srdist_h5t_native_float(), memory, space, hid_t(H5P_DEFAULT), &v) >= 0 else {
            throw TamperError("cannot write \(path)")
        }
    }

    /// Replaces float32 dataset `path` (shape `dims`) by one whose raw data is read from
    /// `outside` (HDF5 external storage), the way a crafted file would leak another file.
    public func storeExternally(_ path: String, float32 dims: [UInt64], in outside: String) throws {
        let dcpl = H5Pcreate(srdist_h5p_dataset_create())
        defer { H5Pclose(dcpl) }
        guard H5Pset_external(dcpl, outside, 0, hsize_t(dims.reduce(1, *) * 4)) >= 0 else { throw TamperError("H5Pset_external") }
        try replace(path, float32: dims, dcpl: dcpl, write: false)
    }

    /// Replaces member `path` by an external link to `object` in the file `outside`.
    public func linkExternally(_ path: String, to outside: String, object: String) throws {
        H5Ldelete(file, path, hid_t(H5P_DEFAULT))
        guard H5Lcreate_external(outside, object, file, path, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT)) >= 0 else {
            throw TamperError("cannot link \(path) to \(outside):\(object)")
        }
    }

    /// Replaces member `path` by a soft link to `target` in this file.
    public func linkSoftly(_ path: String, to target: String) throws {
        H5Ldelete(file, path, hid_t(H5P_DEFAULT))
        guard H5Lcreate_soft(target, file, path, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT)) >= 0 else { throw TamperError("cannot link \(path)") }
    }

    /// Replaces float32 dataset `path` by a gzip-compressed one of shape `dims`, all zeros
    /// (a few bytes on disk that inflate to the whole shape).
    public func compress(_ path: String, float32 dims: [UInt64]) throws {
        let dcpl = H5Pcreate(srdist_h5p_dataset_create())
        defer { H5Pclose(dcpl) }
        H5Pset_chunk(dcpl, Int32(dims.count), dims)
        guard H5Pset_deflate(dcpl, 9) >= 0 else { throw TamperError("H5Pset_deflate") }
        try replace(path, float32: dims, dcpl: dcpl, write: true)
    }

    private func replace(_ path: String, float32 dims: [UInt64], dcpl: hid_t, write: Bool) throws {
        H5Ldelete(file, path, hid_t(H5P_DEFAULT))
        let space = H5Screate_simple(Int32(dims.count), dims, nil)
        defer { H5Sclose(space) }
        let d = H5Dcreate2(file, path, srdist_h5t_native_float(), space, hid_t(H5P_DEFAULT), dcpl, hid_t(H5P_DEFAULT))
        guard d >= 0 else { throw TamperError("cannot create dataset \(path) with shape \(dims)") }
        defer { H5Dclose(d) }
        if write {
            let zeros = [Float](repeating: 0, count: Int(dims.reduce(1, *)))
            guard H5Dwrite(d, srdist_h5t_native_float(), srdist_h5s_all(), srdist_h5s_all(), hid_t(H5P_DEFAULT), zeros) >= 0 else {
                throw TamperError("cannot write \(path)")
            }
        }
    }

    private func replaceAttribute(_ object: String, _ name: String, type: hid_t, _ value: UnsafeRawPointer) throws {
        let o = H5Oopen(file, object, hid_t(H5P_DEFAULT))
        guard o >= 0 else { throw TamperError("no object \(object)") }
        defer { H5Oclose(o) }
        if H5Aexists(o, name) > 0 { H5Adelete(o, name) }
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        let a = H5Acreate2(o, name, type, space, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT))
        guard a >= 0, H5Awrite(a, type, value) >= 0 else { throw TamperError("cannot write attribute \(object)/\(name)") }
        H5Aclose(a)
    }
}

struct TamperError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
