import Data
import FuzzSupport

// Any bytes must decode or throw a `DataError`, never crash, hang or allocate past the
// pixel limit (lowered so that libFuzzer's 2 GB RSS limit catches an allocation that
// ignored it). Through `ImageFile.decode`, as every reader meets a file: by signature.
runFuzzer { data, size in
    _ = try? ImageFile.decode(fuzzInput(data, size), path: "fuzz.jpg", maxPixels: 1 << 24)
    return 0
}
