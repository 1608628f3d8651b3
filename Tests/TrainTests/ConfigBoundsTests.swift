import Foundation
import Kernels
import Models
import Train
import XCTest

/// Every number of a config has an upper bound, checked at parse time with a line
/// naming the key; absurd values never reach an allocation.
final class ConfigBoundsTests: XCTestCase {
    func error(_ json: String, overrides: [String] = []) -> String {
        do {
            _ = try Config.parse(Data(json.utf8), file: "test.json", overrides: overrides)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    let minimal = #"{"model": {"scale": 2}, "train": {"steps": 10}}"#

    func testAbsurdNumbersAreRefusedByKey() {
        let cases: [(String, String)] = [
            ("model.blocks=100000", "key 'model.blocks' must be at most 1024, got 100000"),
            ("model.features=1000000", "key 'model.features' must be at most 4096, got 1000000"),
            ("model.features=2000000000", "key 'model.features' must be at most 4096"),
            ("model.res_scale=1e30", "key 'model.res_scale' must be at most 100"),
            ("train.batch_size=1000000000", "key 'train.batch_size' must be at most 4096"),
            ("train.patch_size=100000", "key 'train.patch_size' must be at most 1024"),
            ("train.steps=1e18", "key 'train.steps' must be at most 1099511627776"),
            ("train.steps=1e300", "key 'train.steps' must be an integer"),
            ("train.threads_per_rank=3000000000", "key 'train.threads_per_rank' must be at most 4096"),
            ("train.seed=-1", "key 'train.seed' must be at least 0"),
            ("distributed.bucket_size=1e12", "key 'distributed.bucket_size' must be at most"),
            ("distributed.watchdog_seconds=1e300", "key 'distributed.watchdog_seconds' must be at most"),
            ("distributed.balance=fast", "key 'distributed.balance' must be one of \"equal\", \"measured\", \"fixed\", got \"fast\""),
            ("distributed.balance_window=1", "key 'distributed.balance_window' must be at least 2, got 1"),
            ("distributed.balance_max_factor=0.5", "key 'distributed.balance_max_factor' must be at least 1, got 0.5"),
            ("distributed.balance=fixed", "key 'distributed.balance_weights' is required by balance \"fixed\""),
            ("distributed.balance_weights=[1,0]", "key 'distributed.balance_weights' must be a list of integers from 1 to 1000000"),
            ("train.threads_per_rank=many", "key 'train.threads_per_rank' must be a thread count or \"auto\", got \"many\""),
            ("checkpoint.keep_last=1e9", "key 'checkpoint.keep_last' must be at most 10000"),
            ("data.synthetic_size=100000", "key 'data.synthetic_size' must be at most 16384"),
            ("data.synthetic_images=10000000", "key 'data.synthetic_images' must be at most 100000"),
        ]
        let div2k = #"{"model": {"scale": 2}, "train": {"steps": 1}, "data": {"kind": "div2k", "root": "d", "data_range": "1-99999999999"}}"#
        XCTAssertTrue(error(div2k).contains("key 'data.data_range' must look like"), error(div2k))
        for (override, expected) in cases {
            let e = error(minimal, overrides: [override])
            XCTAssertTrue(e.hasPrefix("test.json: ") && e.contains(expected), "\(override): \(e)")
        }
    }

    /// Blocks and features within their own bounds can still multiply past the
    /// parameter limit; the synthetic set's total pixels are bounded too.
    func testProductsAreBounded() {
        let tooMany = error(minimal, overrides: ["model.blocks=1024", "model.features=4096"])
        XCTAssertTrue(tooMany.contains("key 'model.features' 4096 with 1024 blocks gives 310"), tooMany)
        XCTAssertEqual(error(minimal, overrides: ["model.blocks=1024", "model.features=256", "checkpoint.max_parameters=1e10"]), "no error")
        XCTAssertTrue(error(minimal, overrides: ["data.synthetic_images=100000", "data.synthetic_size=4096"])
            .contains("key 'data.synthetic_images' × synthetic_size² is"))
    }

    /// The closed-form count `srdist` checks equals the networks' real layouts.
    func testParameterCountMatchesTheLayouts() throws {
        for json in [#"{"model": {"scale": 2, "blocks": 3, "features": 8}, "train": {"steps": 1, "patch_size": 8}}"#,
                     #"{"model": {"scale": 3, "blocks": 0, "features": 5}, "train": {"steps": 1, "patch_size": 8}}"#,
                     #"{"model": {"scale": 4, "blocks": 2, "features": 4}, "train": {"steps": 1, "patch_size": 8}}"#,
                     #"{"model": {"arch": "mdsr", "scales": [2, 3, 4], "blocks": 2, "features": 4}, "train": {"steps": 1, "patch_size": 8}}"#] {
            let spec = try Config.parse(Data(json.utf8), file: "t.json").model
            XCTAssertEqual(spec.parameterCount, Double(spec.makeNetwork(seed: 1, kernels: KernelContext()).layout.count), json)
        }
    }

    func testMDSRScalesMustBeIntegers() {
        XCTAssertTrue(error(#"{"model": {"arch": "mdsr", "scales": [2.7, 3]}, "train": {"steps": 1}}"#)
            .contains("key 'model.scales' must be a list of distinct scales"))
        XCTAssertTrue(error(#"{"model": {"scale": 2.5}, "train": {"steps": 1}}"#).contains("key 'model.scale' must be an integer"))
    }

    func testRunDirMustBeAFolderOfItsOwn() {
        let cwd = FileManager.default.currentDirectoryPath
        for bad in ["", " ", ".", "./", "..", "/", cwd, cwd + "/.", (cwd as NSString).deletingLastPathComponent] {
            XCTAssertTrue(error(minimal, overrides: ["run_dir=\(bad)"]).contains("key 'run_dir' must name a folder of its own"), "'\(bad)'")
        }
        XCTAssertEqual(error(minimal, overrides: ["run_dir=runs/x"]), "no error")
        XCTAssertEqual(error(minimal, overrides: ["run_dir=/tmp/srdist-run"]), "no error")
    }

    func testJSONSyntaxErrorsGiveLineAndColumn() {
        let e = error("{\"model\": {\"scale\": 2,\n  \"blocks\": 4,,}, \"train\": {\"steps\": 1}}")
        XCTAssertTrue(e.hasPrefix("test.json: not valid JSON at line 2, column 15"), e)
        XCTAssertFalse(e.contains("\n"), e)
    }
}

/// `train.threads_per_rank: "auto"` and the balance keys, read into their types.
final class ClusterConfigTests: XCTestCase {
    func testAutoThreadsAndBalanceKeysParse() throws {
        let minimal = #"{"model": {"scale": 2}, "train": {"steps": 10}}"#
        let auto = try Config.parse(Data(minimal.utf8), file: "t.json", overrides: ["train.threads_per_rank=auto"])
        XCTAssertEqual(auto.train.threadsPerRank, .auto)
        XCTAssertEqual(try Config.parse(Data(minimal.utf8), file: "t.json").train.threadsPerRank, .environment)
        XCTAssertEqual(try Config.parse(Data(minimal.utf8), file: "t.json", overrides: ["train.threads_per_rank=3"]).train.threadsPerRank, .fixed(3))
        let fixed = try Config.parse(Data(minimal.utf8), file: "t.json",
                                     overrides: ["distributed.balance=fixed", "distributed.balance_weights=[3,1]"]).distributed.balance
        XCTAssertEqual(fixed.mode, .fixed)
        XCTAssertEqual(fixed.weights, [3, 1])
        let measured = try Config.parse(Data(minimal.utf8), file: "t.json", overrides: ["distributed.balance=measured"]).distributed.balance
        XCTAssertEqual([measured.window, Int(measured.threshold * 100), Int(measured.maxFactor)], [20, 5, 2])
        XCTAssertEqual(try Config.parse(Data(minimal.utf8), file: "t.json").distributed.balance.mode, .equal)
    }
}
