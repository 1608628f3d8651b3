import Checkpoint
import Models
import XCTest

/// ×3/×4 models start from a trained ×2 model: everything but the upsampler carries over.
final class InitFromTests: CheckpointTestCase {
    func testX4StartsFromX2ExceptTheUpsampler() throws {
        try CheckpointFile.write(sample(scale: 2, seed: 5), to: file("x2.h5"))
        let x2 = try CheckpointFile.read(path: file("x2.h5"))
        let x4 = EDSR(EDSRConfig(scale: 4, blocks: 2, features: 8, resScale: 0.1), seed: 77)
        let fresh = Array(x4.params.buffer)
        let report = copyMatching(from: x2, into: x4.layout, params: x4.params.base)

        XCTAssertEqual(report.skipped, [.init(name: "tail.0.2.weight", reason: "not in the checkpoint"),
                                        .init(name: "tail.0.2.bias", reason: "not in the checkpoint")])
        XCTAssertEqual(report.unused, [])
        XCTAssertEqual(report.copied.count, x4.layout.views.count - 2)
        for v in x4.layout.views {
            let now = Array(x4.params.buffer[v.range])
            if report.copied.contains(v.name) {
                XCTAssertEqual(now, Array(x2.params[x2.layout.view(named: v.name)!.range]), v.name)
            } else {
                XCTAssertEqual(now, Array(fresh[v.range]), "\(v.name) keeps its fresh initialisation")
            }
        }
        XCTAssertTrue(report.lines[0].contains("copied \(report.copied.count) tensors, skipped 2"))
    }

    func testX3ReportsTheShapeMismatchAndUnusedTensors() throws {
        let x4 = sample(scale: 4)
        let x3 = EDSR(EDSRConfig(scale: 3, blocks: 2, features: 8, resScale: 0.1), seed: 3)
        let report = copyMatching(from: x4, into: x3.layout, params: x3.params.base)
        XCTAssertEqual(report.skipped.map(\.name), ["tail.0.0.weight", "tail.0.0.bias"])
        XCTAssertEqual(report.skipped[0].reason, "shape [32, 8, 3, 3] in the checkpoint, the model needs [72, 8, 3, 3]")
        XCTAssertEqual(report.unused, ["tail.0.2.weight", "tail.0.2.bias"])
        XCTAssertTrue(report.lines.contains("init_from: unused tail.0.2.weight"))
    }
}
