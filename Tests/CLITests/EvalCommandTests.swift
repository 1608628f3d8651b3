import Data
import Foundation
import TestSupport
import XCTest

/// `srdist eval` and `srdist upscale` on a model trained briefly on generated images.
final class EvalCommandTests: XCTestCase {
    static let dir = FileManager.default.temporaryDirectory.appendingPathComponent("srdist-eval-\(UUID().uuidString)").path
    static let tiny = Executables.repositoryRoot().appendingPathComponent("configs/tiny_x2.json").path

    /// One short training run shared by the tests (~20 s on 2 cores).
    override class func setUp() {
        let r = try? srdist([
            "--config", tiny, "--quiet", "--set", "run_dir=\(dir)/run", "--set", "train.steps=400", "--set", "train.lr=2e-3",
            "--set", "train.batch_size=16", "--set", "train.patch_size=24", "--set", "data.synthetic_images=16",
        ])
        precondition(r?.status == 0, "training for the eval tests failed: \(r?.output ?? "no output")")
        _ = try? srdist(["demo-data", "\(dir)/images", "--count", "4", "--size", "96"])
    }

    override class func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func testTrainedModelBeatsBicubic() throws {
        let r = try srdist(["eval", "--checkpoint", "\(Self.dir)/run", "--data", "\(Self.dir)/images", "--json"])
        XCTAssertEqual(r.status, 0, r.output)
        let doc = try JSONSerialization.jsonObject(with: Data(r.output.utf8)) as! [String: Any]
        let mean = doc["mean"] as! [String: Double]
        XCTAssertGreaterThan(mean["psnr"]!, mean["bicubic_psnr"]!, r.output)
        XCTAssertEqual((doc["images"] as! [Any]).count, 4)
        XCTAssertEqual(doc["protocol"] as? String, "Y, shave 2")
        // The table form names every image and the mean.
        let table = try srdist(["eval", "--checkpoint", "\(Self.dir)/run", "--data", "\(Self.dir)/images", "--self-ensemble"])
        XCTAssertEqual(table.status, 0, table.output)
        XCTAssertTrue(table.output.contains("×2+ on") && table.output.contains("\nmean "), table.output)
    }

    /// Tiled upscaling writes the image whole-image upscaling writes, up to float
    /// rounding: windows of another size sum the Winograd transforms in another order,
    /// so a pixel within noise of .5 may land one level apart; a misplaced core would
    /// differ by tens of levels over whole rows.
    func testUpscaleTiledEqualsWhole() throws {
        let input = "\(Self.dir)/images/LR_bicubic/X2/1001x2.png"
        for (out, tile) in [("whole.png", "0"), ("tiled.png", "16")] {
            let r = try srdist(["upscale", input, "\(Self.dir)/\(out)", "--checkpoint", "\(Self.dir)/run/checkpoints/latest", "--tile", tile])
            XCTAssertEqual(r.status, 0, r.output)
            XCTAssertTrue(r.output.contains("(48×48 → 96×96"), r.output)
        }
        let (whole, tiled) = (try ImageFile.read("\(Self.dir)/whole.png"), try ImageFile.read("\(Self.dir)/tiled.png"))
        let differences = zip(whole.pixels, tiled.pixels).map { abs(Int($0) - Int($1)) }
        XCTAssertLessThanOrEqual(differences.max()!, 1)
        XCTAssertLessThan(differences.filter { $0 > 0 }.count, whole.pixels.count / 1000)
    }

    func testBadCheckpointIsOneLine() throws {
        try Data("not hdf5".utf8).write(to: URL(fileURLWithPath: "\(Self.dir)/bad.h5"))
        let r = try srdist(["eval", "--checkpoint", "\(Self.dir)/bad.h5", "--data", "\(Self.dir)/images"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.output.split(separator: "\n").count, 1, r.output)
        XCTAssertTrue(r.output.hasPrefix("Error: \(Self.dir)/bad.h5:"), r.output)
    }
}
