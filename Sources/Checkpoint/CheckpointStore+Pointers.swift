extension CheckpointStore {
    /// A pointer's fields when its first names a checkpoint file of this folder itself
    /// (`step-….h5`: no folder part, no `..`), else nil — treated like a missing
    /// pointer, so `latest` falls back to the highest step. A pointer edited to
    /// `../../x.h5` is never followed out of the folder.
    static func confined(_ fields: [Substring]) -> [Substring]? {
        guard let name = fields.first, name.hasPrefix("step-"), name.hasSuffix(".h5"), !name.contains("/") else { return nil }
        return fields
    }
}
