import Foundation
import Kernels
import Models

/// Exponential moving average of the weights (`train.ema_decay`, BasicSR's `ema_decay`,
/// KAIR's `E_decay`), updated after every applied optimizer step:
///
///     ema ← ema + (1 − decay) · (θ − ema)
///
/// (the lerp form of `decay·ema + (1−decay)·θ`: a tensor whose θ did not move — an
/// MDSR branch nobody trained this step — keeps its average bit for bit). Only rank 0
/// holds one: every rank has the same θ after the all-reduce, and only rank 0
/// validates and writes checkpoints.
public final class EMA {
    public let decay: Double
    /// The averaged weights, laid out as the parameters.
    public let weights: Arena
    /// Workers each pass is split across.
    public let threads: Int

    /// Starts the average at `params` (fresh, `init_from` or resumed weights); passes
    /// run on `threads` workers.
    public init(decay: Double, params: Arena, threads: Int) {
        (self.decay, self.threads) = (decay, threads)
        weights = Arena(count: params.count)
        reset(to: params)
    }

    /// Replaces the average with `params` (after `init_from` or a resume without EMA).
    public func reset(to params: Arena) {
        weights.base.update(from: params.base, count: params.count)
    }

    /// One averaging step towards `params`. Elementwise: threads change no bits.
    public func update(from params: Arena) {
        let a = Float(1 - decay), e = weights.base, p = params.base
        parallelChunks(params.count, threads: threads) { _, chunk in
            for i in chunk { e[i] += a * (p[i] - e[i]) }
        }
    }

    /// Runs `body` with the averaged weights in `params` (validation scores the model
    /// users will get), then puts the trained weights back exactly: a swap, no copy.
    public func withWeights<T>(in params: Arena, _ body: () throws -> T) rethrows -> T {
        swap(params)
        defer { swap(params) }
        return try body()
    }

    private func swap(_ params: Arena) {
        let e = weights.base, p = params.base
        parallelChunks(params.count, threads: threads) { _, chunk in
            for i in chunk { (e[i], p[i]) = (p[i], e[i]) }
        }
    }
}
