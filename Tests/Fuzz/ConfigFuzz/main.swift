import Foundation
import FuzzSupport
import Train

// Any bytes must parse to a `Config` or throw a `ConfigError`, never crash.
runFuzzer { data, size in
    _ = try? Config.parse(Data(fuzzInput(data, size)), file: "fuzz.json")
    return 0
}
