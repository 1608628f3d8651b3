import Kernels
import Models
import TestSupport
import XCTest

/// `backward`'s `ready(o)` promises that every gradient at `o..<count` is final: a
/// bucketed allreduce sends those floats while backward goes on.
final class GradientFrontierTests: XCTestCase {
    /// Two workers, so chunked loops and per-worker partial sums are exercised.
    let kernels = KernelContext(KernelSettings(threads: 2))

    /// Runs `backward` recording, at each `ready(o)`, the gradients at `o..<count`; they
    /// must equal the final gradients, offsets must fall, and the last must be 0.
    private func assertReadyOffsetsAreFinal(grads: Arena, _ label: String, backward: ((Int) -> Void) -> Void) -> [Int] {
        grads.zero(threads: 2)
        var offsets: [Int] = [], snapshots: [[Float]] = []
        backward { o in
            offsets.append(o)
            snapshots.append(Array(grads.buffer[o...]))
        }
        let final = Array(grads.buffer)
        XCTAssertEqual(offsets.last, 0, label)
        XCTAssertEqual(offsets, offsets.sorted(by: >), label)
        XCTAssertEqual(Set(offsets).count, offsets.count, label)
        for (o, snapshot) in zip(offsets, snapshots) {
            XCTAssertTrue(snapshot == Array(final[o...]), "\(label): gradients at \(o)... changed after ready")
        }
        return offsets
    }

    /// EDSR's layout is forward order, so every layer is reported as soon as it is done.
    func testEDSRReportsEveryLayerInReverseLayoutOrder() {
        let model = EDSR(EDSRConfig(scale: 4, blocks: 3, features: 4, resScale: 1), seed: 1, kernels: kernels)
        let input = randomArray(3 * 5 * 4, seed: 1, in: 0...255)
        _ = model.forward(input, n: 1, h: 5, w: 4)
        let offsets = assertReadyOffsetsAreFinal(grads: model.grads, "EDSR") {
            model.backward(randomArray(3 * 20 * 16, seed: 2), ready: $0)
        }
        // tail, two upsampler stages, body conv, three blocks, head
        XCTAssertEqual(offsets, [
            "tail.1.weight", "tail.0.2.weight", "tail.0.0.weight", "body.3.weight",
            "body.2.body.0.weight", "body.1.body.0.weight", "body.0.body.0.weight", "head.0.weight",
        ].map { model.layout.view(named: $0)!.offset })
    }

    /// MDSR's registration-order layout puts branches and head before the body: tail
    /// and body are reported as they finish, everything else at the end.
    func testMDSRReportsOnlyFinalGradients() {
        let model = MDSR(MDSRConfig(scales: [2, 3, 4], blocks: 2, features: 4), seed: 2, kernels: kernels)
        let input = randomArray(3 * 5 * 4, seed: 1, in: 0...255)
        for scale in [2, 3, 4] {
            _ = model.forward(input, n: 1, h: 5, w: 4, scale: scale)
            let offsets = assertReadyOffsetsAreFinal(grads: model.grads, "×\(scale)") {
                model.backward(randomArray(3 * 20 * scale * scale, seed: 2), ready: $0)
            }
            XCTAssertEqual(offsets, ["tail.0.weight", "body.2.weight", "body.1.body.0.weight", "body.0.body.0.weight"]
                .map { model.layout.view(named: $0)!.offset } + [0], "×\(scale)")
        }
    }
}
