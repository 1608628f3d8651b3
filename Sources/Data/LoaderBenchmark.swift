import Dispatch

/// How fast the patch loader alone runs: batches filled back to back on the
/// calling thread (one core), no training.
public enum LoaderBenchmark {
    /// Patches (LR + HR pair, augmented, as float32) per second on one core.
    /// - Parameters:
    ///   - batch: samples per `fill` call (the global batch of the config).
    ///   - seconds: how long to measure, after one warm-up batch.
    public static func patchesPerSecond(_ sampler: PatchSampler, batch: Int, seconds: Double = 2) -> Double {
        let lr = UnsafeMutablePointer<Float>.allocate(capacity: batch * sampler.lrCount)
        let hr = UnsafeMutablePointer<Float>.allocate(capacity: batch * sampler.hrCount)
        defer { lr.deallocate(); hr.deallocate() }
        sampler.fill(step: 0, samples: 0..<batch, lr: lr, hr: hr)
        let start = DispatchTime.now().uptimeNanoseconds
        var steps = 0, elapsed = 0.0
        repeat {
            steps += 1
            sampler.fill(step: steps, samples: 0..<batch, lr: lr, hr: hr)
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < seconds
        return Double(steps * batch) / elapsed
    }
}
