extension Config {
    /// The checks that need only the config and the rank count, so a job started with
    /// the wrong number of ranks is refused before it claims a run folder or reads data.
    /// - Throws: `ConfigError` when the global batch leaves some rank without a sample.
    public func check(ranks: Int) throws {
        guard train.batchSize >= ranks else {
            throw ConfigError("train.batch_size \(train.batchSize) is smaller than the \(ranks) ranks: every rank needs a sample")
        }
    }
}
