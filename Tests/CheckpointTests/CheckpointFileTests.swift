import Checkpoint
import Foundation
import Models
import XCTest

final class CheckpointFileTests: CheckpointTestCase {
    func testRoundTripKeepsEveryField() throws {
        let original = sample()
        try CheckpointFile.write(original, to: file("a.h5"))
        let back = try CheckpointFile.read(path: file("a.h5"))
        XCTAssertEqual(back.model, "edsr")
        XCTAssertEqual(back.scales, [2])
        XCTAssertEqual(back.step, 1234)
        XCTAssertEqual(back.stage, "stage-×2")
        XCTAssertEqual(back.worldSize, 16)
        XCTAssertEqual(back.configJSON, original.configJSON)
        XCTAssertEqual(back.created, "2025-01-31T12:34:56Z")
        XCTAssertEqual(back.layout, original.layout, "names, shapes and order")
        XCTAssertEqual(back.optimizer?.steps, ["shared": 1234, "x2": 17])
        XCTAssertEqual(back.optimizer?.learningRate, 2.5e-5)
        XCTAssertEqual(back.state, original.state)
        // Bitwise, not approximately: resume must continue with the same bits.
        XCTAssertEqual(back.params.map(\.bitPattern), original.params.map(\.bitPattern))
        XCTAssertEqual(back.optimizer?.m.map(\.bitPattern), original.optimizer?.m.map(\.bitPattern))
        XCTAssertEqual(back.optimizer?.v.map(\.bitPattern), original.optimizer?.v.map(\.bitPattern))
        XCTAssertEqual(back, original)
    }

    func testWeightsOnlyCheckpointWithoutBestScoreRoundTrips() throws {
        var c = sample(scale: 4, optimizer: false)
        c.state.bestPSNR = nil
        c.state.bestStep = nil
        c.scales = [2, 3, 4]
        c.model = "mdsr"
        try CheckpointFile.write(c, to: file("w.h5"))
        let back = try CheckpointFile.read(path: file("w.h5"))
        XCTAssertNil(back.optimizer)
        XCTAssertNil(back.state.bestPSNR)
        XCTAssertNil(back.state.bestStep)
        XCTAssertEqual(back.scales, [2, 3, 4])
        XCTAssertEqual(back, c)
    }

    func testTensorsAreStoredUnderPyTorchNamesWithTheirShapes() throws {
        try CheckpointFile.write(sample(), to: file("a.h5"))
        let back = try CheckpointFile.read(path: file("a.h5"))
        XCTAssertEqual(back.layout.views.first?.name, "head.0.weight")
        XCTAssertEqual(back.layout.view(named: "head.0.weight")?.shape, [8, 3, 3, 3])
        XCTAssertEqual(back.layout.view(named: "body.1.body.2.bias")?.shape, [8])
        XCTAssertEqual(back.layout.view(named: "tail.0.0.weight")?.shape, [32, 8, 3, 3])
        XCTAssertEqual(back.layout.views.last?.name, "tail.1.bias")
    }

    func testRestoringIntoAModelReproducesItsArena() throws {
        let c = sample(seed: 9)
        try CheckpointFile.write(c, to: file("a.h5"))
        let back = try CheckpointFile.read(path: file("a.h5"))
        let model = EDSR(EDSRConfig(scale: 2, blocks: 2, features: 8, resScale: 0.1), seed: 1)
        try back.requireCompatible(model: "edsr", scales: [2], layout: model.layout, file: "a.h5")
        back.scatter(back.params, into: model.params.base, layout: model.layout)
        XCTAssertEqual(Array(model.params.buffer), c.params)
        let m = Arena(count: model.layout.count)
        back.scatter(back.optimizer!.m, into: m.base, layout: model.layout)
        XCTAssertEqual(Array(m.buffer), c.optimizer!.m)
    }

    func testCreatedDefaultsToNowInISO8601() {
        let stamp = CheckpointContents.now()
        XCTAssertNotNil(stamp.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"#, options: .regularExpression), stamp)
    }
}
