import Data
import FuzzSupport

// Any bytes must decode or throw a `DataError`, never crash, hang or allocate past the
// pixel limit (lowered so that libFuzzer's 2 GB RSS limit catches an allocation that
// ignored it).
runFuzzer { data, size in
    _ = try? PNGFile.decode(fuzzInput(data, size), path: "fuzz.png", maxPixels: 1 << 24)
    return 0
}
