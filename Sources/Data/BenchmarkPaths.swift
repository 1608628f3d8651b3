/// Where a benchmark-layout set keeps its files, as in EDSR-PyTorch's benchmark archive
/// (Set5, Set14, B100, Urban100): `root/HR/baby.png` with `root/LR_bicubic/X2/babyx2.png`.
public enum BenchmarkPaths {
    /// The HR image of `name` (a file name without `.png`).
    public static func hr(root: String, name: String) -> String { "\(root)/HR/\(name).png" }

    /// The LR image of `name` at scale `s` (in `LR_unknown` for the unknown degradation).
    public static func lr(root: String, name: String, scale s: Int, degradation: Degradation = .bicubic) -> String {
        "\(root)/\(degradation.folder)/X\(s)/\(name)x\(s).png"
    }
}
