import Checkpoint
import Foundation
import TestSupport
import XCTest

/// EMA, LR schedules and gradient clipping through the srdist binary: resume restores
/// each exactly (bit-identical to an uninterrupted run), the defaults train as before,
/// and eval/upscale/inspect see the EMA weights.
final class TrainingOptionsRunTests: ScratchFolderTestCase {
    override class var folderPrefix: String { "srdist-options" }

    /// A checkpoint every 10 steps, all kept.
    override class var runSettings: [String] { ["train.log_every=5", "checkpoint.save_every=10", "checkpoint.keep_last=10"] }

    func checkpoint(_ run: String, step: Int? = nil) throws -> CheckpointContents {
        let path = step.map { "\(dir.path)/\(run)/checkpoints/step-\(String(format: "%09d", $0)).h5" } ?? "\(dir.path)/\(run)"
        return try CheckpointFile.read(path: try CheckpointStore.locate(path))
    }

    /// Resuming a copy of `straight`'s checkpoint at `step` in a fresh folder ends with
    /// `straight`'s bits: parameters, Adam's moments and (when kept) the EMA weights.
    func assertResumeIsExact(_ straight: String, at step: Int, _ extra: [String]) throws {
        let split = "\(straight)-from-\(step)"
        let from = "\(dir.path)/\(straight)/checkpoints/step-\(String(format: "%09d", step)).h5"
        let out = try trainSucceeds(split, steps: 40, extra + ["--resume", from])
        XCTAssertTrue(out.contains("resumed from \(from) at step \(step)"), out)
        let (a, b) = (try checkpoint(straight), try checkpoint(split))
        XCTAssertEqual(a.step, 40)
        XCTAssertEqual(a.params, b.params, "parameters after resuming at step \(step)")
        XCTAssertEqual(a.optimizer, b.optimizer)
        XCTAssertEqual(a.ema, b.ema)
    }

    /// The `lr` of every progress record of `run` (step s reports the last update's, s − 1),
    /// as the Float the update used (JSON text does not round-trip every Double's last bit).
    func loggedRates(_ run: String) throws -> [Int: Float] {
        let lines = try String(contentsOfFile: "\(dir.path)/\(run)/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        var rates: [Int: Float] = [:]
        for line in lines {
            let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            if o["event"] as? String == "progress" { rates[o["step"] as! Int] = (o["lr"] as? Double).map(Float.init) }
        }
        return rates
    }

    /// Cosine with warm-up: resumed mid-warm-up (step 10) and mid-cosine (step 30), the
    /// runs match the uninterrupted one bit for bit, and every logged rate and the
    /// checkpoints' `/optim/lr` follow the closed form.
    func testCosineResumesExactlyMidWarmupAndMidCosine() throws {
        let cosine = ["--set", "train.lr_decay_steps=null", "--set", "train.lr_schedule=cosine", "--set", "train.warmup_steps=20", "--set", "train.min_lr=1e-5"]
        try trainSucceeds("cosine", steps: 40, cosine)
        let (lr, minLR) = (5e-4, 1e-5)
        func closedForm(_ t: Int) -> Float {
            t < 20 ? Float(lr * Double(t + 1) / 20) : Float(minLR + (lr - minLR) * 0.5 * (1 + cos(Double.pi * (Double(t - 20) / 20))))
        }
        for step in [10, 30] {
            XCTAssertEqual(try checkpoint("cosine", step: step).optimizer?.learningRate, Double(closedForm(step)), "step \(step)")
            try assertResumeIsExact("cosine", at: step, cosine)
            let rates = try loggedRates("cosine-from-\(step)")
            XCTAssertEqual(rates.keys.sorted(), Array(stride(from: step + 5, through: 40, by: 5)))
            for (s, rate) in rates { XCTAssertEqual(rate, closedForm(s - 1), "step \(s)") }
        }
    }

    /// Multistep across its milestones, and EMA with clipping: resumed mid-run, the same bits.
    func testMultistepEMAAndClippingResumeExactly() throws {
        let options = ["--set", "train.lr_decay_steps=null", "--set", "train.lr_schedule=multistep", "--set", "train.milestones=[15,25]", "--set", "train.gamma=0.1",
                       "--set", "train.ema_decay=0.9", "--set", "train.grad_clip=20"]
        try trainSucceeds("multi", steps: 40, options)
        let rates = try loggedRates("multi")
        for (s, rate) in rates { XCTAssertEqual(rate, Float(5e-4 * pow(0.1, Double([15, 25].filter { $0 <= s - 1 }.count))), "step \(s)") }
        let ema = try XCTUnwrap(try checkpoint("multi", step: 20).ema)
        XCTAssertEqual(ema.decay, 0.9)
        XCTAssertNotEqual(ema.params, try checkpoint("multi", step: 20).params)
        try assertResumeIsExact("multi", at: 20, options)
        // Clipping at 20 acts on this model (its norms are ~50): the parameters differ from an unclipped run.
        try trainSucceeds("unclipped", steps: 40, ["--set", "train.lr_decay_steps=null", "--set", "train.lr_schedule=multistep", "--set", "train.milestones=[15,25]", "--set", "train.gamma=0.1"])
        XCTAssertNotEqual(try checkpoint("multi").params, try checkpoint("unclipped").params)
    }

    /// A config without the new keys trains exactly as one spelling out their defaults,
    /// and keeping an EMA or a clip bound no step reaches changes no trained weight.
    func testDefaultsTrainAsBefore() throws {
        try trainSucceeds("plain", steps: 20)
        try trainSucceeds("explicit", steps: 20, ["--set", "train.lr_schedule=step", "--set", "train.lr_decay_steps=200000",
                                          "--set", "train.gamma=0.5", "--set", "train.ema_decay=0", "--set", "train.grad_clip=0"])
        try trainSucceeds("averaged", steps: 20, ["--set", "train.ema_decay=0.999", "--set", "train.grad_clip=1e9"])
        let plain = try checkpoint("plain")
        XCTAssertNil(plain.ema)
        XCTAssertEqual(plain.params, try checkpoint("explicit").params)
        XCTAssertEqual(plain.params, try checkpoint("averaged").params)
        XCTAssertEqual(plain.optimizer, try checkpoint("averaged").optimizer)
    }

    /// eval and upscale use the EMA weights unless --no-ema; inspect says they are there;
    /// init_from copies them.
    func testEvalUpscaleAndInspectUseTheEMAWeights() throws {
        try trainSucceeds("ema", steps: 20, ["--set", "train.ema_decay=0.8"])
        XCTAssertEqual(try srdist(["demo-data", "\(dir.path)/images", "--count", "2", "--size", "64"]).status, 0)
        func eval(_ extra: [String]) throws -> [String: Any] {
            let r = try srdist(["eval", "--checkpoint", "\(dir.path)/ema", "--data", "\(dir.path)/images", "--json"] + extra)
            XCTAssertEqual(r.status, 0, r.output)
            return try JSONSerialization.jsonObject(with: Data(r.output.utf8)) as! [String: Any]
        }
        let (averaged, raw) = (try eval([]), try eval(["--no-ema"]))
        XCTAssertEqual(averaged["ema"] as? Bool, true)
        XCTAssertEqual(raw["ema"] as? Bool, false)
        XCTAssertNotEqual((averaged["mean"] as! [String: Double])["psnr"], (raw["mean"] as! [String: Double])["psnr"])

        let input = "\(dir.path)/images/LR_bicubic/X2/1001x2.png"
        var outputs: [Data?] = []
        for flags in [[], ["--no-ema"]] {
            let r = try srdist(["upscale", input, "\(dir.path)/out\(flags.count).png", "--checkpoint", "\(dir.path)/ema"] + flags)
            XCTAssertEqual(r.status, 0, r.output)
            XCTAssertEqual(r.output.contains("using its EMA weights"), flags.isEmpty, r.output)
            outputs.append(FileManager.default.contents(atPath: "\(dir.path)/out\(flags.count).png"))
        }
        XCTAssertNotEqual(outputs[0], outputs[1])

        let inspect = try srdist(["inspect", "\(dir.path)/ema"])
        XCTAssertTrue(inspect.output.contains("ema          present (decay 0.8)"), inspect.output)
        try trainSucceeds("noema", steps: 10)
        XCTAssertTrue(try srdist(["inspect", "\(dir.path)/noema"]).output.contains("ema          none"))

        // init_from starts from the EMA weights (the model eval scores), logged as such.
        let child = try trainSucceeds("child", steps: 10, ["--set", "train.init_from=\(dir.path)/ema"])
        XCTAssertTrue(child.contains("init_from: the checkpoint's EMA weights"), child)
        XCTAssertEqual(try checkpoint("child", step: 0).params, try checkpoint("ema").ema?.params)
    }
}
