import CHDF5
import CHDF5Shims

/// Attributes: small named values on a group (the checkpoint's header fields).
/// Integers are stored as int64, text as variable-length UTF-8 (h5py's defaults).
extension HDF5Group {
    func setAttribute(_ name: String, _ value: String) throws {
        let type = try HDF5Object.utf8StringType()
        try value.withCString { text in
            var pointer: UnsafePointer<CChar>? = text
            try writeAttribute(name, type: type.id, shape: [], &pointer)
        }
    }

    func setAttribute(_ name: String, _ value: Int) throws {
        var v = Int64(value)
        try writeAttribute(name, type: srdist_h5t_native_int64(), shape: [], &v)
    }

    func setAttribute(_ name: String, _ values: [Int]) throws {
        var v = values.map { Int64($0) }
        try writeAttribute(name, type: srdist_h5t_native_int64(), shape: [v.count], &v)
    }

    func setAttribute(_ name: String, _ value: UInt64) throws {
        var v = value
        try writeAttribute(name, type: srdist_h5t_native_uint64(), shape: [], &v)
    }

    func setAttribute(_ name: String, _ value: Double) throws {
        var v = value
        try writeAttribute(name, type: srdist_h5t_native_double(), shape: [], &v)
    }

    private func writeAttribute(_ name: String, type: hid_t, shape: [Int], _ value: UnsafeRawPointer) throws {
        let space = try HDF5Object.space(shape: shape)
        let a = try HDF5Object.attribute(H5Acreate2(location, name, type, space.id, srdist_h5p_default(), srdist_h5p_default()),
                                         "cannot create attribute '\(name)'")
        try h5check(H5Awrite(a.id, type, value), "cannot write attribute '\(name)'")
    }

    func hasAttribute(_ name: String) -> Bool { H5Aexists(location, name) > 0 }

    /// Names of all attributes, in name order.
    func attributeNames() throws -> [String] {
        var info = H5O_info_t()
        try h5check(H5Oget_info2(location, &info, UInt32(H5O_INFO_NUM_ATTRS)), "cannot list attributes")
        return try (0..<info.num_attrs).map { i in
            try nameByIndex("attribute \(i)") { buffer, size in
                H5Aget_name_by_idx(location, ".", H5_INDEX_NAME, H5_ITER_INC, i, buffer, size, srdist_h5p_default())
            }
        }
    }

    func stringAttribute(_ name: String) throws -> String {
        let a = try openAttribute(name)
        let fileType = try HDF5Object.type(H5Aget_type(a.id), "cannot read the type of attribute '\(name)'")
        return try readText(fileType: fileType.id, what: "attribute '\(name)'") { memType, buffer in H5Aread(a.id, memType, buffer) }
    }

    func intAttribute(_ name: String) throws -> Int {
        let v = try intsAttribute(name)
        guard v.count == 1 else { throw HDF5Error("attribute '\(name)' holds \(v.count) values, expected one") }
        return v[0]
    }

    /// An integer attribute of any shape, flattened.
    func intsAttribute(_ name: String) throws -> [Int] {
        // HDF5 would clip a uint64 beyond Int64.max to Int64.max without a word.
        if try isUnsigned64(name) {
            return try numbers(name, as: UInt64.self, class: H5T_INTEGER, memType: srdist_h5t_native_uint64()).map { v in
                guard let i = Int(exactly: v) else { throw HDF5Error("attribute '\(name)' holds \(v), too large for a signed 64-bit integer") }
                return i
            }
        }
        return try numbers(name, as: Int64.self, class: H5T_INTEGER, memType: srdist_h5t_native_int64()).map { Int($0) }
    }

    private func isUnsigned64(_ name: String) throws -> Bool {
        let a = try openAttribute(name)
        let t = try HDF5Object.type(H5Aget_type(a.id), "cannot read the type of attribute '\(name)'")
        return H5Tget_class(t.id) == H5T_INTEGER && H5Tget_sign(t.id) == H5T_SGN_NONE && H5Tget_size(t.id) >= 8
    }

    func uint64Attribute(_ name: String) throws -> UInt64 {
        let v = try numbers(name, as: UInt64.self, class: H5T_INTEGER, memType: srdist_h5t_native_uint64())
        guard v.count == 1 else { throw HDF5Error("attribute '\(name)' holds \(v.count) values, expected one") }
        return v[0]
    }

    func doubleAttribute(_ name: String) throws -> Double {
        let v = try numbers(name, as: Double.self, class: H5T_FLOAT, memType: srdist_h5t_native_double())
        guard v.count == 1 else { throw HDF5Error("attribute '\(name)' holds \(v.count) values, expected one") }
        return v[0]
    }

    private func openAttribute(_ name: String) throws -> HDF5Object {
        guard hasAttribute(name) else { throw HDF5Error("attribute '\(name)' is missing") }
        return try HDF5Object.attribute(H5Aopen(location, name, srdist_h5p_default()), "cannot open attribute '\(name)'")
    }

    /// Reads a numeric attribute whose stored type is of `typeClass`, converted to `T`.
    private func numbers<T: Numeric>(_ name: String, as _: T.Type, class typeClass: H5T_class_t, memType: hid_t) throws -> [T] {
        let a = try openAttribute(name)
        let fileType = try HDF5Object.type(H5Aget_type(a.id), "cannot read the type of attribute '\(name)'")
        let found = H5Tget_class(fileType.id)
        guard found == typeClass else {
            throw HDF5Error("attribute '\(name)' holds \(found == H5T_STRING ? "text" : "another type") instead of \(typeClass == H5T_FLOAT ? "a number" : "an integer")")
        }
        let space = try HDF5Object.space(H5Aget_space(a.id), "cannot read the shape of attribute '\(name)'")
        // Header attributes are a few values; a crafted extent must not size the buffer.
        let count = try HDF5Object.shape(ofSpace: space.id).reduce(1) { n, d in
            let (product, overflow) = n.multipliedReportingOverflow(by: d)
            guard !overflow, product <= 1 << 16 else { throw HDF5Error("attribute '\(name)' holds too many values") }
            return product
        }
        var values = [T](repeating: 0, count: count)
        try h5check(values.withUnsafeMutableBytes { H5Aread(a.id, memType, $0.baseAddress) }, "cannot read attribute '\(name)'")
        return values
    }
}
