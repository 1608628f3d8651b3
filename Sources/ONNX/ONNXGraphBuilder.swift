import Support

/// An ONNX model under construction, encoded with `ProtobufWriter` by the field numbers
/// of onnx/onnx.proto:
///
///     ModelProto      ir_version = 1, producer_name = 2, producer_version = 3, doc_string = 6,
///                     graph = 7, opset_import = 8 (OperatorSetIdProto: version = 2),
///                     metadata_props = 14 (StringStringEntryProto: key = 1, value = 2)
///     GraphProto      node = 1, name = 2, initializer = 5, input = 11, output = 12
///     NodeProto       input = 1, output = 2, name = 3, op_type = 4, attribute = 5
///     AttributeProto  name = 1, i = 3, s = 4, t = 5, ints = 8, type = 20
///     TensorProto     dims = 1, data_type = 2, name = 8, raw_data = 9
///     ValueInfoProto  name = 1, type = 2 → TypeProto.tensor_type = 1 → elem_type = 1,
///                     shape = 2 → dim = 1 → dim_value = 1 | dim_param = 2
///
/// Nodes are appended in topological order, as ONNX requires. Trained weights become
/// initializers; fixed numbers (the RGB mean, the residual scale) become `Constant`
/// nodes, so the initializers are exactly the checkpoint's tensors.
struct ONNXGraphBuilder {
    /// A node attribute (AttributeProto.type: INT 2, STRING 3, TENSOR 4, INTS 7).
    enum Attribute {
        case int(String, Int)
        case ints(String, [Int])
        case string(String, String)
        case tensor(String, dims: [Int], [Float])
    }

    /// One axis of a graph input's or output's shape: fixed or named (dynamic).
    enum Dimension {
        case fixed(Int)
        case named(String)
    }

    /// TensorProto.DataType FLOAT.
    static let float32 = 1

    private var nodes: [ProtobufWriter] = []
    private var initializers: [ProtobufWriter] = []
    private var scalars: [UInt32: String] = [:]
    private var unnamed = 0

    /// Appends a node; returns the name of its (one) output, `output` or a fresh one.
    mutating func node(_ op: String, _ inputs: [String], _ attributes: [Attribute] = [], output: String? = nil) -> String {
        let out = output ?? fresh(op)
        var n = ProtobufWriter()
        for i in inputs { n.string(1, i) }
        n.string(2, out)
        n.string(3, out)
        n.string(4, op)
        for a in attributes { n.message(5, Self.encode(a)) }
        nodes.append(n)
        return out
    }

    /// A trained tensor, stored once as an initializer under its checkpoint name.
    mutating func initializer(_ name: String, dims: [Int], _ values: UnsafeBufferPointer<Float>) -> String {
        initializers.append(Self.tensor(name, dims: dims, values))
        return name
    }

    /// A `Constant` node holding `values` with shape `dims`.
    mutating func constant(_ name: String, dims: [Int], _ values: [Float]) -> String {
        node("Constant", [], [.tensor("value", dims: dims, values)], output: name)
    }

    /// A scalar `Constant`, one node per distinct value.
    mutating func scalar(_ value: Float) -> String {
        if let name = scalars[value.bitPattern] { return name }
        let name = constant(fresh("scalar"), dims: [], [value])
        scalars[value.bitPattern] = name
        return name
    }

    /// The encoded ModelProto with one float32 input and one float32 output.
    func model(name: String, input: (String, [Dimension]), output: (String, [Dimension]), irVersion: Int, opset: Int,
               docString: String, metadata: [(String, String)]) -> [UInt8] {
        var graph = ProtobufWriter()
        for n in nodes { graph.message(1, n) }
        graph.string(2, name)
        for i in initializers { graph.message(5, i) }
        graph.message(11, Self.valueInfo(input.0, input.1))
        graph.message(12, Self.valueInfo(output.0, output.1))

        var model = ProtobufWriter()
        model.int64(1, irVersion)
        model.string(2, "srdist")
        model.string(6, docString)
        model.message(7, graph)
        var opsetID = ProtobufWriter()
        opsetID.int64(2, opset)  // domain "" (the default): the standard ai.onnx operators
        model.message(8, opsetID)
        for (key, value) in metadata {
            var entry = ProtobufWriter()
            entry.string(1, key)
            entry.string(2, value)
            model.message(14, entry)
        }
        return model.encoded
    }

    private mutating func fresh(_ stem: String) -> String {
        unnamed += 1
        return "\(stem.lowercased())_\(unnamed)"
    }

    private static func tensor(_ name: String, dims: [Int], _ values: UnsafeBufferPointer<Float>) -> ProtobufWriter {
        precondition(dims.reduce(1, *) == values.count, "\(name): \(values.count) values for dims \(dims)")
        var t = ProtobufWriter()
        for d in dims { t.int64(1, d) }
        t.int64(2, float32)
        t.string(8, name)
        t.lengthDelimited(9, float32: values)
        return t
    }

    private static func encode(_ attribute: Attribute) -> ProtobufWriter {
        var a = ProtobufWriter()
        switch attribute {
        case let .int(name, v):
            a.string(1, name)
            a.int64(3, v)
            a.int64(20, 2)
        case let .ints(name, vs):
            a.string(1, name)
            for v in vs { a.int64(8, v) }
            a.int64(20, 7)
        case let .string(name, s):
            a.string(1, name)
            a.string(4, s)
            a.int64(20, 3)
        case let .tensor(name, dims, values):
            a.string(1, name)
            a.message(5, values.withUnsafeBufferPointer { tensor("", dims: dims, $0) })
            a.int64(20, 4)
        }
        return a
    }

    private static func valueInfo(_ name: String, _ dims: [Dimension]) -> ProtobufWriter {
        var shape = ProtobufWriter()
        for d in dims {
            var dim = ProtobufWriter()
            switch d {
            case let .fixed(n): dim.int64(1, n)
            case let .named(s): dim.string(2, s)
            }
            shape.message(1, dim)
        }
        var tensorType = ProtobufWriter()
        tensorType.int64(1, float32)
        tensorType.message(2, shape)
        var type = ProtobufWriter()
        type.message(1, tensorType)
        var info = ProtobufWriter()
        info.string(1, name)
        info.message(2, type)
        return info
    }
}
