import Foundation
import Support

/// What `srdist inspect` shows of an ONNX model, decoded from its bytes with
/// `ProtobufReader`: graph inputs and outputs, operator sets, nodes and initializers
/// (the fields of onnx.proto that `ONNXGraphBuilder` lists; every other field is
/// skipped). Nothing is trusted: shapes are bounded and overflow-checked, and a
/// tensor's stored bytes must match its shape before they are read.
public struct ONNXSummary {
    /// A graph input or output: name, element type and shape (a fixed size, a named
    /// dynamic axis, or "?").
    public struct ValueInfo: Equatable {
        public let name: String
        public let elementType: Int
        public let dims: [String]
    }

    /// An initializer: its name, shape and where its float32 values lie in the file.
    public struct Initializer {
        public let name: String
        public let dims: [Int]
        public let dataType: Int
        /// The stored values, little-endian float32: `raw_data`, or packed `float_data`.
        let values: Range<Int>?
        public var count: Int { dims.reduce(1, *) }
    }

    public let file: String
    public let irVersion: Int
    public let producer: String
    public let opsets: [(domain: String, version: Int)]
    public let inputs: [ValueInfo]
    public let outputs: [ValueInfo]
    /// Operator type of every node, in graph order.
    public let operators: [String]
    public let initializers: [Initializer]
    public let metadata: [String: String]
    private let bytes: [UInt8]

    /// Files protobuf itself can address (2 GiB); larger models keep their weights outside, which srdist does not write.
    public static let maxFileBytes = Int(Int32.max)

    /// Reads and decodes `path`.
    /// - Throws: `ONNXError`, one line naming the file: unreadable, too large, or not well-formed ONNX.
    public init(path: String) throws {
        let bytes: [UInt8]
        do { bytes = try FileDoor.read(path, what: "ONNX", maxBytes: Self.maxFileBytes) } catch { throw ONNXError(describe(error)) }
        try self.init(bytes: bytes, file: path)
    }

    /// Decodes the ModelProto `bytes`, read from `file` (named in errors).
    public init(bytes: [UInt8], file: String) throws {
        (self.bytes, self.file) = (bytes, file)
        do {
            var ir = 0, producer = "", opsets: [(String, Int)] = [], meta: [String: String] = [:]
            var graph: Range<Int>?
            var model = ProtobufReader(bytes)
            while let (field, value) = try model.next() {
                switch (field, value) {
                case let (1, .varint(v)): ir = Int(truncatingIfNeeded: v)
                case let (2, .lengthDelimited(r)): producer = model.string(r)
                case let (7, .lengthDelimited(r)): graph = r
                case let (8, .lengthDelimited(r)):
                    var o = model.reader(r), domain = "", version = 0
                    while let (f, v) = try o.next() {
                        if f == 1, case let .lengthDelimited(s) = v { domain = model.string(s) }
                        if f == 2, case let .varint(n) = v { version = Int(truncatingIfNeeded: n) }
                    }
                    opsets.append((domain, version))
                case let (14, .lengthDelimited(r)):
                    var e = model.reader(r), key = "", text = ""
                    while let (f, v) = try e.next() {
                        guard case let .lengthDelimited(s) = v else { continue }
                        if f == 1 { key = model.string(s) } else if f == 2 { text = model.string(s) }
                    }
                    meta[key] = text
                default: break
                }
            }
            guard let graph else { throw ProtobufError("the model holds no graph (not an ONNX file?)") }
            (irVersion, self.producer, self.opsets, metadata) = (ir, producer, opsets, meta)
            var ops: [String] = [], inits: [Initializer] = [], ins: [ValueInfo] = [], outs: [ValueInfo] = []
            var g = model.reader(graph)
            while let (field, value) = try g.next() {
                guard case let .lengthDelimited(r) = value else { continue }
                switch field {
                case 1: ops.append(try Self.opType(g.reader(r)))
                case 5: inits.append(try Self.initializer(g.reader(r)))
                case 11: ins.append(try Self.valueInfo(g.reader(r)))
                case 12: outs.append(try Self.valueInfo(g.reader(r)))
                default: break
                }
            }
            // Older exporters also list initializers among the inputs; those are weights, not inputs.
            let weights = Set(inits.map(\.name))
            (operators, initializers, inputs, outputs) = (ops, inits, ins.filter { !weights.contains($0.name) }, outs)
        } catch let e as ProtobufError {
            throw ONNXError("\(file): not a well-formed ONNX model: \(e)")
        }
    }

    /// Elements in all initializers.
    public var parameterCount: Int { initializers.reduce(0) { $0 + $1.count } }

    /// The values of a float32 initializer.
    public func floats(_ initializer: Initializer) throws -> [Float] {
        guard initializer.dataType == ONNXGraphBuilder.float32, let range = initializer.values else {
            throw ONNXError("\(file): initializer \(initializer.name) is not stored as float32 values in the file")
        }
        return bytes[range].withUnsafeBytes { raw in
            (0..<initializer.count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
    }

    /// The report `srdist inspect FILE.onnx` prints.
    public var text: String {
        func shape(_ v: ValueInfo) -> String { "\(v.name) \(Self.typeName(v.elementType)) [\(v.dims.joined(separator: ", "))]" }
        var counts: [String: Int] = [:]
        for op in operators { counts[op, default: 0] += 1 }
        let ops = counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let sets = opsets.map { "\($0.domain.isEmpty ? "ai.onnx" : $0.domain) \($0.version)" }.joined(separator: ", ")
        let types = Set(initializers.map { Self.typeName($0.dataType) }).sorted().joined(separator: ", ")
        var lines = ["\(file): ONNX IR version \(irVersion), opset \(sets.isEmpty ? "none" : sets)\(producer.isEmpty ? "" : ", from \(producer)")"]
        lines += inputs.map { "  input   \(shape($0))" }
        lines += outputs.map { "  output  \(shape($0))" }
        lines.append("  nodes   \(operators.count) (\(ops))")
        lines.append("  parameters \(parameterCount) in \(initializers.count) initializers\(types.isEmpty ? "" : " (\(types))")")
        lines += metadata.keys.sorted().map { "  \($0): \(metadata[$0]!)" }
        return lines.joined(separator: "\n")
    }

    /// Largest rank and element count accepted for one initializer: far above any
    /// network srdist trains (2^28 parameters in all), far below an overflow.
    static let maxRank = 8, maxElements = 1 << 31

    private static func opType(_ node: ProtobufReader) throws -> String {
        var n = node, op = ""
        while let (f, v) = try n.next() { if f == 4, case let .lengthDelimited(r) = v { op = n.string(r) } }
        return op
    }

    private static func initializer(_ tensor: ProtobufReader) throws -> Initializer {
        var t = tensor, dims: [Int] = [], type = 0, name = "", raw: Range<Int>?, floatData: Range<Int>?, fixedFloats = 0
        while let (f, v) = try t.next() {
            switch (f, v) {
            case (1, _):
                for d in try t.integers(v) {
                    guard d >= 0, d <= maxElements else { throw ProtobufError("a tensor dimension of \(d)") }
                    dims.append(Int(d))
                }
                guard dims.count <= maxRank else { throw ProtobufError("a tensor of rank \(dims.count)") }
            case let (2, .varint(n)): type = Int(truncatingIfNeeded: n)
            case let (8, .lengthDelimited(r)): name = t.string(r)
            case let (9, .lengthDelimited(r)): raw = r
            case let (4, .lengthDelimited(r)): floatData = r
            case (4, .fixed32): fixedFloats += 1
            default: break
            }
        }
        var count = 1
        for d in dims {
            let (p, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, p <= maxElements else { throw ProtobufError("initializer \(name) has \(dims) elements, too many") }
            count = p
        }
        let values = raw ?? floatData
        if type == ONNXGraphBuilder.float32, fixedFloats == 0 {
            guard let values, values.count == 4 * count else {
                throw ProtobufError("initializer \(name) \(dims) should hold \(4 * count) bytes, holds \((raw ?? floatData)?.count ?? 0) (truncated?)")
            }
        }
        return Initializer(name: name, dims: dims, dataType: type, values: fixedFloats == 0 ? values : nil)
    }

    private static func valueInfo(_ info: ProtobufReader) throws -> ValueInfo {
        var i = info, name = "", elementType = 0, dims: [String] = []
        while let (f, v) = try i.next() {
            guard case let .lengthDelimited(r) = v else { continue }
            if f == 1 { name = i.string(r) }
            guard f == 2 else { continue }
            var type = i.reader(r)
            while let (tf, tv) = try type.next() {
                guard tf == 1, case let .lengthDelimited(tr) = tv else { continue }
                var tensor = type.reader(tr)
                while let (ef, ev) = try tensor.next() {
                    if ef == 1, case let .varint(n) = ev { elementType = Int(truncatingIfNeeded: n) }
                    guard ef == 2, case let .lengthDelimited(sr) = ev else { continue }
                    var shape = tensor.reader(sr)
                    while let (df, dv) = try shape.next() {
                        guard df == 1, case let .lengthDelimited(dr) = dv else { continue }
                        var dim = shape.reader(dr), text = "?"
                        while let (xf, xv) = try dim.next() {
                            if xf == 1, case let .varint(n) = xv { text = String(Int64(bitPattern: n)) }
                            if xf == 2, case let .lengthDelimited(s) = xv { text = dim.string(s) }
                        }
                        guard dims.count < maxRank else { throw ProtobufError("\(name) has more than \(maxRank) dimensions") }
                        dims.append(text)
                    }
                }
            }
        }
        return ValueInfo(name: name, elementType: elementType, dims: dims)
    }

    /// TensorProto.DataType names for the types a super-resolution model may carry.
    static func typeName(_ type: Int) -> String {
        [1: "float32", 2: "uint8", 3: "int8", 6: "int32", 7: "int64", 10: "float16", 11: "float64", 16: "bfloat16"][type] ?? "type \(type)"
    }
}
