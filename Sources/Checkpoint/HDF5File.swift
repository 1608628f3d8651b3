import Foundation
import CHDF5
import CHDF5Shims

/// An HDF5 file being built in memory or opened for reading. Its root is a
/// `HDF5Group`. New files live in memory (HDF5's core driver) and leave as one byte
/// image: srdist then writes the bytes itself, so a full disk or a permission problem
/// is a plain POSIX error and never leaves HDF5 holding a half-written file.
final class HDF5File {
    private var id: hid_t
    let root: HDF5Group

    private init(id: hid_t) {
        self.id = id
        root = HDF5Group(location: id, owner: nil, path: "")
    }

    deinit { if id >= 0 { _ = H5Fclose(id) } }

    /// Starts an empty file in memory, with the library's default (oldest possible)
    /// format: with a version 2 or 3 superblock, HDF5 1.10.8's in-memory image fails
    /// its own metadata checksum when reopened, and nothing here needs more than v0.
    static func createInMemory() throws -> HDF5File {
        srdist_h5_silence_errors()
        let fapl = try HDF5Object.plist(H5Pcreate(srdist_h5p_file_access()), "H5Pcreate(file access)")
        // Grow the image 16 MB at a time; no backing file.
        try h5check(H5Pset_fapl_core(fapl.id, 16 << 20, false), "H5Pset_fapl_core")
        let id = H5Fcreate("srdist-checkpoint-in-memory", srdist_h5f_acc_trunc(), srdist_h5p_default(), fapl.id)
        guard id >= 0 else { throw HDF5Error("cannot create an HDF5 file in memory") }
        return HDF5File(id: id)
    }

    /// The finished file's bytes (groups and datasets opened from it must be gone).
    func image() throws -> [UInt8] {
        try h5check(H5Fflush(id, H5F_SCOPE_GLOBAL), "cannot flush the in-memory file")
        let size = try h5check(H5Fget_file_image(id, nil, 0), "cannot size the file image")
        var bytes = [UInt8](repeating: 0, count: size)
        try h5check(bytes.withUnsafeMutableBytes { H5Fget_file_image(id, $0.baseAddress, size) }, "cannot copy the file image")
        return bytes
    }

    /// Opens a file's bytes, already read through `FileDoor`, read-only from memory:
    /// HDF5 itself never opens the path, so it never meets a FIFO or a file swapped
    /// after the checks, and takes no lock (cluster file systems without flock refuse it).
    static func open(image bytes: [UInt8]) throws -> HDF5File {
        srdist_h5_silence_errors()
        let fapl = try HDF5Object.plist(H5Pcreate(srdist_h5p_file_access()), "H5Pcreate(file access)")
        try h5check(H5Pset_fapl_core(fapl.id, 1 << 20, false), "H5Pset_fapl_core")
        try h5check(bytes.withUnsafeBytes { H5Pset_file_image(fapl.id, UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count) },
                    "H5Pset_file_image")
        let id = H5Fopen("srdist-checkpoint-image", srdist_h5f_acc_rdonly(), fapl.id)
        guard id >= 0 else { throw HDF5Error("cannot open it as HDF5") }
        return HDF5File(id: id)
    }
}

/// A group (or the file's root) through which datasets, subgroups and attributes are
/// created and read. Names are single path components such as `body.0.body.2.weight`.
final class HDF5Group {
    let location: hid_t
    /// Keeps the group's identifier alive (nil for a file root, owned by `HDF5File`).
    private let owner: HDF5Object?

    /// The group's path in the file ("" for the root), for messages.
    let path: String

    init(location: hid_t, owner: HDF5Object?, path: String) {
        (self.location, self.owner, self.path) = (location, owner, path)
    }

    /// The path of member `name`, for messages.
    func member(_ name: String) -> String { "\(path)/\(name)" }

    /// Creates a subgroup that remembers the order its members were created in, so
    /// tensors read back in the model's registration order.
    func createGroup(_ name: String) throws -> HDF5Group {
        let gcpl = try HDF5Object.plist(H5Pcreate(srdist_h5p_group_create()), "H5Pcreate(group create)")
        try h5check(H5Pset_link_creation_order(gcpl.id, UInt32(H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED)),
                    "H5Pset_link_creation_order")
        let g = try HDF5Object.group(H5Gcreate2(location, name, srdist_h5p_default(), gcpl.id, srdist_h5p_default()),
                                     "cannot create group '\(name)'")
        return HDF5Group(location: g.id, owner: g, path: member(name))
    }

    func openGroup(_ name: String) throws -> HDF5Group {
        try requireHardLink(name)
        let g = try HDF5Object.group(H5Gopen2(location, name, srdist_h5p_default()), "cannot open group '\(name)'")
        return HDF5Group(location: g.id, owner: g, path: member(name))
    }

    /// Whether a member (group or dataset) called `name` exists here.
    func contains(_ name: String) -> Bool { H5Lexists(location, name, srdist_h5p_default()) > 0 }

    /// Member names in creation order when the group tracks it, else in name order
    /// (groups written by other tools).
    func memberNames() throws -> [String] {
        var info = H5G_info_t()
        try h5check(H5Gget_info(location, &info), "cannot list a group")
        let gcpl = try HDF5Object.plist(H5Gget_create_plist(location), "cannot read a group's properties")
        var flags: UInt32 = 0
        try h5check(H5Pget_link_creation_order(gcpl.id, &flags), "H5Pget_link_creation_order")
        let index = flags & UInt32(H5P_CRT_ORDER_INDEXED) != 0 ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME
        return try (0..<info.nlinks).map { i in
            try nameByIndex("member \(i)") { buffer, size in
                H5Lget_name_by_idx(location, ".", index, H5_ITER_INC, i, buffer, size, srdist_h5p_default())
            }
        }
    }

    // MARK: Float datasets

    /// Writes `shape.product` floats from `values` as dataset `name`, with a
    /// Fletcher-32 checksum that HDF5 verifies on every read (a flipped byte fails the
    /// read instead of loading silently). Filters need a chunked layout: one chunk of
    /// the whole tensor (EDSR's largest, 256·256·3·3 floats, is 2.4 MB, far below
    /// HDF5's 4 GB chunk limit); h5py, h5ls and h5dump read such files as before.
    func writeFloats(_ name: String, shape: [Int], from values: UnsafePointer<Float>) throws {
        let space = try HDF5Object.space(shape: shape)
        let dcpl = try HDF5Object.plist(H5Pcreate(srdist_h5p_dataset_create()), "H5Pcreate(dataset create)")
        if !shape.isEmpty && shape.allSatisfy({ $0 > 0 }) {
            var chunk = shape.map { hsize_t($0) }
            try h5check(H5Pset_chunk(dcpl.id, Int32(chunk.count), &chunk), "H5Pset_chunk")
            try h5check(H5Pset_fletcher32(dcpl.id), "H5Pset_fletcher32")
        }
        let d = try HDF5Object.dataset(H5Dcreate2(location, name, srdist_h5t_native_float(), space.id, srdist_h5p_default(),
                                                  dcpl.id, srdist_h5p_default()),
                                       "cannot create dataset '\(name)'")
        try h5check(H5Dwrite(d.id, srdist_h5t_native_float(), srdist_h5s_all(), srdist_h5s_all(), srdist_h5p_default(), values),
                    "cannot write dataset '\(name)'")
    }

    /// Shape of dataset `name`; throws unless it holds floating-point numbers.
    func floatShape(_ name: String) throws -> [Int] { try floatDataset(name).shape }

    /// Shape, element size and storage of floating-point dataset `name`, read from its
    /// header only (no data is touched).
    func floatDataset(_ name: String) throws -> FloatDatasetInfo {
        let d = try openDataset(name)
        let t = try HDF5Object.type(H5Dget_type(d.id), "cannot read the type of '\(name)'")
        guard H5Tget_class(t.id) == H5T_FLOAT else { throw HDF5Error("dataset '\(name)' does not hold floating-point numbers") }
        let s = try HDF5Object.space(H5Dget_space(d.id), "cannot read the shape of '\(name)'")
        let dcpl = try HDF5Object.plist(H5Dget_create_plist(d.id), "cannot read the properties of '\(name)'")
        let shape = try HDF5Object.shape(ofSpace: s.id)
        try requireChunks(dcpl.id, within: shape, name)
        return FloatDatasetInfo(shape: shape, bytesPerElement: H5Tget_size(t.id),
                                storedBytes: Int(clamping: H5Dget_storage_size(d.id)),
                                filtered: try h5check(H5Pget_nfilters(dcpl.id), "H5Pget_nfilters") > 0)
    }

    // MARK: What a checkpoint may hold: only its own bytes, read in bounded sizes

    /// Throws unless member `name` is a hard link: an external link would open another
    /// file (any file on the machine) and a soft link would alias another member.
    func requireHardLink(_ name: String) throws {
        var info = H5L_info_t()
        try h5check(H5Lget_info(location, name, &info, srdist_h5p_default()), "cannot read the link '\(member(name))'")
        switch info.type {
        case H5L_TYPE_HARD: return
        case H5L_TYPE_EXTERNAL: throw HDF5Error(refusing: "'\(member(name))' is an external link to another file; srdist reads only what is inside a checkpoint")
        case H5L_TYPE_SOFT: throw HDF5Error(refusing: "'\(member(name))' is a soft link; srdist reads only plain groups and datasets")
        default: throw HDF5Error(refusing: "'\(member(name))' is a user-defined link; srdist reads only plain groups and datasets")
        }
    }

    /// Opens dataset `name` once its link and its storage are known to stay inside this
    /// file and to decode to no more bytes than its shape declares.
    private func openDataset(_ name: String) throws -> HDF5Object {
        try requireHardLink(name)
        let d = try HDF5Object.dataset(H5Dopen2(location, name, srdist_h5p_default()), "cannot open dataset '\(member(name))'")
        let dcpl = try HDF5Object.plist(H5Dget_create_plist(d.id), "cannot read the properties of '\(member(name))'")
        try requireOwnStorage(dcpl.id, name)
        return d
    }

    /// Filters whose output is the input's size or smaller: HDF5 grows a chunk's buffer
    /// for whatever a decompressor returns (a gzip chunk can inflate to gigabytes), so
    /// compression is refused, not bounded after the fact.
    private static let sizeBoundedFilters: Set<H5Z_filter_t> = [H5Z_filter_t(H5Z_FILTER_FLETCHER32), H5Z_filter_t(H5Z_FILTER_SHUFFLE)]

    /// Throws when a dataset's raw data lives in other files (external storage, a
    /// virtual dataset's sources) or passes through a filter of unbounded output.
    private func requireOwnStorage(_ dcpl: hid_t, _ name: String) throws {
        let layout = H5Pget_layout(dcpl)
        guard layout == H5D_CONTIGUOUS || layout == H5D_CHUNKED || layout == H5D_COMPACT else {
            throw HDF5Error(refusing: "dataset '\(member(name))' is \(layout == H5D_VIRTUAL ? "a virtual dataset (its data lives in other files)" : "of an unknown layout"); "
                            + "srdist reads only data stored inside a checkpoint")
        }
        guard try h5check(H5Pget_external_count(dcpl), "H5Pget_external_count") == 0 else {
            throw HDF5Error(refusing: "dataset '\(member(name))' keeps its data in external files; srdist reads only data stored inside a checkpoint")
        }
        for i in 0..<UInt32(try h5check(H5Pget_nfilters(dcpl), "H5Pget_nfilters")) {
            var flags: UInt32 = 0, count = 0, config: UInt32 = 0
            var values = [UInt32](repeating: 0, count: 8), label = [CChar](repeating: 0, count: 64)
            let filter = H5Pget_filter2(dcpl, i, &flags, &count, &values, label.count, &label, &config)
            guard Self.sizeBoundedFilters.contains(filter) else {
                throw HDF5Error(refusing: "dataset '\(member(name))' is stored through filter \(filter) (\(String(cString: label))), whose output size is not bounded "
                                + "in advance; srdist reads only uncompressed tensors (Fletcher-32 and shuffle are fine)")
            }
        }
    }

    /// Throws when a chunked dataset's chunks are larger than the dataset itself (a
    /// chunk is decoded whole, so its size, not the shape, sizes the read buffer).
    private func requireChunks(_ dcpl: hid_t, within shape: [Int], _ name: String) throws {
        guard H5Pget_layout(dcpl) == H5D_CHUNKED else { return }
        var chunk = [hsize_t](repeating: 0, count: 32)
        let rank = Int(try h5check(H5Pget_chunk(dcpl, Int32(chunk.count), &chunk), "H5Pget_chunk"))
        guard rank == shape.count, zip(chunk, shape).allSatisfy({ $0.0 >= 1 && Int(clamping: $0.0) <= max($0.1, 1) }) else {
            throw HDF5Error(refusing: "dataset '\(member(name))' declares chunks of \(Array(chunk.prefix(min(rank, 8)))) for shape \(shape); chunks larger than the data are refused")
        }
    }

    /// Reads all of dataset `name` (converted to float32) into `values`, which must
    /// hold as many elements as the dataset.
    func readFloats(_ name: String, into values: UnsafeMutablePointer<Float>) throws {
        let d = try openDataset(name)
        try h5check(H5Dread(d.id, srdist_h5t_native_float(), srdist_h5s_all(), srdist_h5s_all(), srdist_h5p_default(), values),
                    "cannot read dataset '\(name)'")
    }

    // MARK: String datasets (text too long for an attribute, such as metrics history)

    func writeString(_ name: String, _ value: String) throws {
        let type = try HDF5Object.utf8StringType(), space = try HDF5Object.scalarSpace()
        let d = try HDF5Object.dataset(H5Dcreate2(location, name, type.id, space.id, srdist_h5p_default(), srdist_h5p_default(),
                                                  srdist_h5p_default()), "cannot create dataset '\(name)'")
        try value.withCString { text in
            var pointer: UnsafePointer<CChar>? = text
            try h5check(H5Dwrite(d.id, type.id, srdist_h5s_all(), srdist_h5s_all(), srdist_h5p_default(), &pointer),
                        "cannot write dataset '\(name)'")
        }
    }

    func readString(_ name: String) throws -> String {
        let d = try openDataset(name)
        let fileType = try HDF5Object.type(H5Dget_type(d.id), "cannot read the type of '\(name)'")
        return try readText(fileType: fileType.id, what: "dataset '\(name)'") { memType, buffer in
            H5Dread(d.id, memType, srdist_h5s_all(), srdist_h5s_all(), srdist_h5p_default(), buffer)
        }
    }
}

/// What a float dataset's header says, before its data is read.
struct FloatDatasetInfo {
    let shape: [Int]
    /// 4 for float32, 8 for float64, …
    let bytesPerElement: Int
    /// Bytes allocated in the file (0 when the data was never written: HDF5 would then
    /// return the fill value for every element).
    let storedBytes: Int
    /// Compressed or otherwise filtered (stored bytes then say nothing about the count).
    let filtered: Bool
}

/// Calls an HDF5 "get name" function twice: once for the length, once for the text.
func nameByIndex(_ what: String, _ get: (UnsafeMutablePointer<CChar>?, Int) -> Int) throws -> String {
    let length = try h5check(get(nil, 0), "cannot read the name of \(what)")
    var buffer = [CChar](repeating: 0, count: length + 1)
    try h5check(get(&buffer, length + 1), "cannot read the name of \(what)")
    return String(cString: buffer)
}

/// Longest string srdist reads from a checkpoint (64 MiB).
let maxTextBytes = 1 << 26

/// Reads one string (variable-length or fixed-size, as h5py and other tools write
/// them) through `read(memoryType, buffer)`.
func readText(fileType: hid_t, what: String, _ read: (hid_t, UnsafeMutableRawPointer) -> herr_t) throws -> String {
    guard H5Tget_class(fileType) == H5T_STRING else { throw HDF5Error("\(what) is not a string") }
    let memType = try HDF5Object.type(H5Tcopy(srdist_h5t_c_s1()), "H5Tcopy(C_S1)")
    // Conversion between ASCII and UTF-8 strings is refused, so match the file's set.
    try h5check(H5Tset_cset(memType.id, H5Tget_cset(fileType)), "H5Tset_cset")
    if try h5check(H5Tis_variable_str(fileType), "H5Tis_variable_str") > 0 {
        try h5check(H5Tset_size(memType.id, srdist_h5t_variable()), "H5Tset_size(variable)")
        var pointer: UnsafeMutablePointer<CChar>?
        try h5check(read(memType.id, &pointer), "cannot read \(what)")
        defer { H5free_memory(pointer) }
        guard let pointer else { return "" }
        guard strnlen(pointer, maxTextBytes + 1) <= maxTextBytes else { throw HDF5Error("\(what) is longer than \(maxTextBytes) bytes") }
        return String(cString: pointer)
    }
    let size = H5Tget_size(fileType)
    // The longest text srdist stores is the metrics history (kilobytes); a crafted
    // type size must not size the buffer.
    guard size <= maxTextBytes else { throw HDF5Error("\(what) is \(size) bytes long, more than \(maxTextBytes)") }
    try h5check(H5Tset_size(memType.id, size + 1), "H5Tset_size")
    var buffer = [CChar](repeating: 0, count: size + 1)
    try h5check(read(memType.id, &buffer), "cannot read \(what)")
    return String(cString: buffer)
}
