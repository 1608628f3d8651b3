import Checkpoint
import Foundation
import Models
import XCTest

final class CheckpointSummaryTests: CheckpointTestCase {
    func testTensorStatistics() {
        var layout = ParameterLayout()
        let v = layout.add("w", [2, 3])
        let values: [Float] = [1, 2, 3, 4, .nan, -10]
        let s = values.withUnsafeBufferPointer { TensorStatistics(v, $0) }
        XCTAssertEqual(s.mean, 0)
        // Population std of {1, 2, 3, 4, -10}: sqrt((1 + 4 + 9 + 16 + 100) / 5).
        XCTAssertEqual(s.std, (130.0 / 5).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(s.min, -10)
        XCTAssertEqual(s.max, 4)
        XCTAssertEqual(s.nonFinite, 1)
    }

    func testSummaryTextAndJSON() throws {
        let c = sample()
        let summary = CheckpointSummary(c, file: "a.h5")
        XCTAssertEqual(summary.parameterCount, c.layout.count)
        XCTAssertEqual(summary.tensors.count, c.layout.views.count)
        let text = summary.text
        XCTAssertTrue(text.contains("model        edsr ×2"), text)
        XCTAssertTrue(text.contains("step         1234 (stage stage-×2, 16 ranks"), text)
        XCTAssertTrue(text.contains("parameters   \(c.layout.count) in 16 tensors"), text)
        XCTAssertTrue(text.contains("Adam, steps shared=1234 x2=17"), text)
        XCTAssertNotNil(text.range(of: #"\ntail\.0\.0\.weight +\[32, 8, 3, 3\] "#, options: .regularExpression), text)
        let decoded = try JSONDecoder().decode(CheckpointSummary.self, from: Data(summary.json.utf8))
        XCTAssertEqual(decoded, summary)
    }

    func testDiffRanksTensorsByLargestChange() throws {
        let a = sample()
        var b = a
        b.params[a.layout.view(named: "body.0.body.0.bias")!.offset] += 0.5
        b.params[a.layout.view(named: "tail.1.weight")!.offset + 3] -= 2
        let diff = CheckpointDiff(a, b, fileA: "a.h5", fileB: "b.h5")
        XCTAssertEqual(diff.tensors.prefix(2).map(\.name), ["tail.1.weight", "body.0.body.0.bias"])
        XCTAssertEqual(diff.tensors[0].maxAbs, 2, accuracy: 1e-6)
        XCTAssertEqual(diff.tensors[2].maxAbs, 0)
        XCTAssertFalse(diff.identical)
        XCTAssertTrue(diff.text(top: 2).contains("… 14 more tensors"))
        XCTAssertTrue(CheckpointDiff(a, a, fileA: "a", fileB: "a").identical)

        let x4 = sample(scale: 4)
        let cross = CheckpointDiff(a, x4, fileA: "x2", fileB: "x4")
        XCTAssertEqual(cross.shapeMismatches, [])
        XCTAssertEqual(cross.onlyInB, ["tail.0.2.weight", "tail.0.2.bias"])
        XCTAssertTrue(cross.text(top: 3).contains("only in B: tail.0.2.weight"))
    }
}
