import Foundation
import Support

extension Communicator {
    /// Runs `body` on rank 0 and hands its result — or its error's line — to every rank,
    /// so all ranks continue with the same value or all throw the same `CollectiveError`
    /// instead of some waiting in a collective. Collective: every rank calls it; `body`
    /// runs on rank 0 only. The value travels as JSON bytes (non-finite Doubles as text).
    public func rootDecides<T: Codable>(_ body: () throws -> T) throws -> T {
        var bytes: [UInt8] = []
        if rank == 0 {
            let outcome: RootOutcome<T>
            do { outcome = .decided(try body()) } catch { outcome = .failed(describe(error)) }
            do { bytes = try RootOutcome.encode(outcome) } catch {
                bytes = try RootOutcome<T>.encode(.failed("rank 0 cannot encode its decision: \(describe(error))"))
            }
        }
        switch try RootOutcome<T>.decode(try broadcast(bytes, root: 0)) {
        case let .decided(value): return value
        case let .failed(line): throw CollectiveError(line)
        }
    }
}

/// What rank 0 broadcasts from `rootDecides`.
private enum RootOutcome<T: Codable>: Codable {
    case decided(T)
    case failed(String)

    static func encode(_ outcome: RootOutcome) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return Array(try encoder.encode(outcome))
    }

    static func decode(_ bytes: [UInt8]) throws -> RootOutcome {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(RootOutcome.self, from: Data(bytes))
    }
}
