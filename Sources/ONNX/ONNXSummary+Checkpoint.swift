import Models

extension ONNXSummary {
    /// Checks that the initializers are exactly `network`'s tensors along one of its
    /// scales, with the same shapes and bit-identical float32 values: the file holds
    /// these weights and no others.
    /// - Parameter checkpoint: the checkpoint's path, named in the error.
    /// - Returns: the scale whose path the file holds.
    /// - Throws: `ONNXError` naming the first difference.
    public func requireWeights(of network: SuperResolutionNetwork, checkpoint: String) throws -> Int {
        let names = Set(initializers.map(\.name))
        func tensors(_ scale: Int) -> Set<String> {
            Set(network.networkPath(scale: scale).convLayers.flatMap { [$0.weight.name, $0.bias.name] })
        }
        let served = network.scales.map { "×\($0)" }.joined(separator: "/")
        guard let scale = network.scales.first(where: { tensors($0) == names }) else {
            throw ONNXError("\(file): its \(initializers.count) initializers are not the tensors of \(checkpoint) (\(network.arch) \(served)) at any of its scales")
        }
        let params = network.params.base
        for initializer in initializers {
            let view = network.layout.view(named: initializer.name)!
            guard view.shape == initializer.dims else {
                throw ONNXError("\(file): \(initializer.name) has shape \(initializer.dims), \(checkpoint) has \(view.shape)")
            }
            for (i, v) in try floats(initializer).enumerated() where v.bitPattern != params[view.offset + i].bitPattern {
                throw ONNXError("\(file): \(initializer.name)[\(i)] is \(v), \(checkpoint) holds \(params[view.offset + i])")
            }
        }
        return scale
    }
}
