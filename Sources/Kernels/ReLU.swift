/// ReLU forward: `output = max(input, 0)`; `output` may alias `input`.
public func reluForward(output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>, count: Int) {
    parallelChunks(count) { _, r in
        for i in r { output[i] = max(input[i], 0) }
    }
}

/// ReLU backward from the forward *output*: `dInput = dOutput · [output > 0]`
/// (overwritten; may alias `dOutput`). Using the output saves keeping the input alive.
public func reluBackward(dInput: UnsafeMutablePointer<Float>, dOutput: UnsafePointer<Float>,
                         output: UnsafePointer<Float>, count: Int) {
    parallelChunks(count) { _, r in
        for i in r { dInput[i] = output[i] > 0 ? dOutput[i] : 0 }
    }
}
