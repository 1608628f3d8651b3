import Models
import ONNX
import XCTest

/// The graphs `SuperResolutionGraph` writes, read back by srdist's own ONNX reader: the
/// declared inputs, outputs and opset, one node per layer, the network's tensors as
/// initializers bit for bit, and damaged files refused. (ONNX Runtime and onnx's
/// checker read them in CLITests/ONNXExportTests.)
final class SuperResolutionGraphTests: XCTestCase {
    func testEDSRGraphHoldsEveryLayerAndExactlyItsWeights() throws {
        let edsr = EDSR(EDSRConfig(scale: 4, blocks: 2, features: 4, resScale: 0.5), seed: 3)
        let bytes = SuperResolutionGraph.encode(edsr, scale: 4, inputRange: .unit, metadata: [("srdist.arch", "edsr")])
        let summary = try ONNXSummary(bytes: bytes, file: "edsr.onnx")
        XCTAssertEqual(summary.irVersion, SuperResolutionGraph.irVersion)
        XCTAssertEqual(summary.opsets.map(\.version), [SuperResolutionGraph.opset])
        XCTAssertEqual(summary.inputs.map { "\($0.name) \($0.elementType) \($0.dims)" }, [#"input 1 ["1", "3", "height", "width"]"#])
        XCTAssertEqual(summary.outputs.map { "\($0.name) \($0.elementType) \($0.dims)" }, [#"output 1 ["1", "3", "height_x4", "width_x4"]"#])
        var ops: [String: Int] = [:]
        for op in summary.operators { ops[op, default: 0] += 1 }
        // head, 2 × 2 block convs, body conv, 2 upsampler stages, tail (9 convs); Constants: mean, 255, 0.5.
        XCTAssertEqual(ops, ["Conv": 9, "Relu": 2, "Mul": 3, "Add": 4, "Sub": 1, "Div": 1, "DepthToSpace": 2, "Constant": 3])
        XCTAssertEqual(summary.parameterCount, edsr.layout.count)
        XCTAssertEqual(summary.metadata, ["srdist.arch": "edsr"])
        XCTAssertEqual(try summary.requireWeights(of: edsr, checkpoint: "ck.h5"), 4)

        edsr.params.base[edsr.layout.view(named: "body.1.body.2.weight")!.offset + 5] += 1e-6
        XCTAssertThrowsError(try summary.requireWeights(of: edsr, checkpoint: "ck.h5")) {
            XCTAssertEqual("\($0)".prefix(35), "edsr.onnx: body.1.body.2.weight[5] ")
        }
        let other = EDSR(EDSRConfig(scale: 2, blocks: 2, features: 4, resScale: 0.5), seed: 3)
        XCTAssertThrowsError(try summary.requireWeights(of: other, checkpoint: "x2.h5")) {
            XCTAssertTrue("\($0)".contains("are not the tensors of x2.h5"), "\($0)")
        }
    }

    func testMDSRGraphPerScaleHoldsOnlyThatBranch() throws {
        let mdsr = MDSR(MDSRConfig(scales: [2, 3, 4], blocks: 1, features: 4), seed: 1)
        for scale in [2, 3, 4] {
            let summary = try ONNXSummary(bytes: SuperResolutionGraph.encode(mdsr, scale: scale, inputRange: .byte, metadata: []), file: "m.onnx")
            let expected = mdsr.convLayers(scale: scale).reduce(0) { $0 + $1.range.count }
            XCTAssertEqual(summary.parameterCount, expected, "×\(scale)")
            XCTAssertEqual(try summary.requireWeights(of: mdsr, checkpoint: "m.h5"), scale)
            XCTAssertFalse(summary.operators.contains("Mul"), "res_scale 1 and range 255 need no Mul")
        }
    }

    func testTruncatedFilesAreOneLineErrors() {
        let edsr = EDSR(EDSRConfig(scale: 2, blocks: 1, features: 4, resScale: 1), seed: 1)
        let bytes = SuperResolutionGraph.encode(edsr, scale: 2, inputRange: .byte, metadata: [])
        // The model's last field, the 4-byte opset, follows the graph: any cut before it lands inside the graph.
        for cut in stride(from: 0, to: bytes.count - 4, by: 7) {
            XCTAssertThrowsError(try ONNXSummary(bytes: Array(bytes.prefix(cut)), file: "cut.onnx"), "cut at \(cut)") {
                XCTAssertTrue("\($0)".hasPrefix("cut.onnx: not a well-formed ONNX model: "), "\($0)")
                XCTAssertFalse("\($0)".contains("\n"))
            }
        }
    }
}
