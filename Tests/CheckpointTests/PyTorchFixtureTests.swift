import Checkpoint
import Foundation
import Models
import XCTest

/// The checkpoint tools/pt_to_srdist.py made from an EDSR-PyTorch state_dict holds
/// every tensor with its name, shape and exact values, and fits srdist's EDSR.
final class PyTorchFixtureTests: XCTestCase {
    struct Expected: Decodable {
        struct Tensor: Decodable { let name: String; let shape: [Int]; let values: [Double] }
        let model: String
        let scales: [Int]
        let blocks: Int
        let features: Int
        let tensors: [Tensor]
    }

    func testConvertedStateDictMatchesEveryTensor() throws {
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath: fixture("edsr_b2f8_x2.json"))))
        let c = try CheckpointFile.read(path: fixture("edsr_b2f8_x2.h5"))
        XCTAssertEqual(c.model, expected.model)
        XCTAssertEqual(c.scales, expected.scales)
        XCTAssertEqual(c.stage, "imported")
        XCTAssertNil(c.optimizer, "imports carry weights only")
        XCTAssertEqual(c.layout.views.map(\.name), expected.tensors.map(\.name), "EDSR-PyTorch order, MeanShift dropped")
        for t in expected.tensors {
            let v = try XCTUnwrap(c.layout.view(named: t.name))
            XCTAssertEqual(v.shape, t.shape, t.name)
            // float32 → Python float → JSON → Double → Float is exact.
            XCTAssertEqual(Array(c.params[v.range]), t.values.map { Float($0) }, t.name)
        }
        let model = EDSR(EDSRConfig(scale: 2, blocks: expected.blocks, features: expected.features, resScale: 1), seed: 0)
        XCTAssertNoThrow(try c.requireCompatible(model: "edsr", scales: [2], layout: model.layout, file: "fixture"))
    }
}
