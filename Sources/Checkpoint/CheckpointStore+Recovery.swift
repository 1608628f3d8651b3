import Foundation
import Support

/// What a run start does with a checkpoint folder a killed or crashed run left
/// behind: finish or discard half-done saves, pick the newest checkpoint that reads
/// back whole, and enforce retention.
extension CheckpointStore {
    /// Tidies up after a writer that died mid-save (call with the run folder locked):
    /// a complete `.best.tmp-*` pointer naming an existing checkpoint is moved into
    /// place, other temporary files are deleted, and `latest` is moved to the newest
    /// checkpoint file when it names an older or missing one (checkpoint files are
    /// renamed into place only once complete, so the newest one was fully written).
    /// - Returns: one line per repair, for the log.
    public func recover() -> [String] {
        var done: [String] = []
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        for name in names where name.hasPrefix(".") && name.contains(".tmp-") {
            let temp = path(name)
            if name.hasPrefix(".best.tmp-"), let fields = pointerFields(temp), fields.count == 2, Double(fields[1]) != nil,
               FileManager.default.fileExists(atPath: path(String(fields[0]))), best() == nil || (best()!.score < Double(fields[1])!) {
                if (try? FileDoor.replace(path("best"), with: temp, what: "best pointer")) != nil {
                    done.append("completed the interrupted move of best to \(fields[0])")
                    continue
                }
            }
            unlink(temp)
            done.append("removed \(name), left by an interrupted save")
        }
        if let newest = checkpoints().last {
            let named = pointer("latest").flatMap(\.first).map { path(String($0)) }
            if named != newest.path, named.map({ !FileManager.default.fileExists(atPath: $0) || step(of: $0) < newest.step }) ?? true {
                let name = URL(fileURLWithPath: newest.path).lastPathComponent
                if (try? FileDoor.writeAtomically(Array((name + "\n").utf8), to: path("latest"), what: "latest pointer")) != nil {
                    done.append("moved latest to \(name) (the save that wrote it was interrupted before moving the pointer)")
                }
            }
        }
        return done
    }

    /// The newest checkpoint that reads back whole with finite values, trying
    /// `first` (the `latest` pointer's file) and then every checkpoint by decreasing
    /// step, each read within `limits`.
    /// - Returns: its path and contents (nil when none is valid) and one line per
    ///   checkpoint passed over, naming the file and why.
    public func newestValid(first: String?, limits: CheckpointLimits = CheckpointLimits()) -> (found: (path: String, contents: CheckpointContents)?, rejected: [String]) {
        var rejected: [String] = []
        var candidates = checkpoints().reversed().map(\.path)
        if let first { candidates.removeAll { $0 == first }; candidates.insert(first, at: 0) }
        for path in candidates {
            do {
                return ((path, try Self.readValid(path, limits: limits)), rejected)
            } catch {
                rejected.append((error as? LocalizedError)?.errorDescription ?? "\(path): \(error)")
            }
        }
        return (nil, rejected)
    }

    /// Reads `path` and refuses contents with a NaN or ±∞ (a checkpoint written
    /// before such values were refused at save time).
    public static func readValid(_ path: String, limits: CheckpointLimits = CheckpointLimits()) throws -> CheckpointContents {
        let contents = try CheckpointFile.read(path: path, limits: limits)
        if let tensor = contents.firstNonFinite() { throw CheckpointError("\(path): \(tensor) holds NaN or ±∞") }
        return contents
    }

    /// Deletes checkpoints beyond the newest `keepLast`, sparing `kept` (the one a run
    /// resumed from, which may be older when newer ones failed to read) and the best.
    public func enforceRetention(keeping kept: String) {
        prune(keeping: URL(fileURLWithPath: kept).lastPathComponent)
    }

    private func step(of path: String) -> Int {
        Int(URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent.dropFirst(5)) ?? -1
    }
}

extension CheckpointContents {
    /// The first tensor (`/params/<name>`, `/optim/m/<name>`, `/optim/v/<name>`, `/ema/<name>`) holding
    /// a NaN or ±∞, or nil when every value is finite.
    public func firstNonFinite() -> String? {
        let groups: [(String, [Float])] = [("/params", params)] + (optimizer.map { [("/optim/m", $0.m), ("/optim/v", $0.v)] } ?? [])
            + (ema.map { [("/ema", $0.params)] } ?? [])
        for (group, values) in groups {
            for view in layout.views {
                // x·0 is 0 for finite x and NaN otherwise: a branch-free scan.
                if values[view.range].reduce(0, { $0 + $1 * 0 }) != 0 { return "\(group)/\(view.name)" }
            }
        }
        return nil
    }
}
