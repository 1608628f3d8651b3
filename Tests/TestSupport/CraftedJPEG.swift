import Foundation

/// Hand-assembled JPEG files for hostile-input tests: one flat grey 8×8 block with
/// one-symbol Huffman tables (each scan's data is a single 1-bit code and padding),
/// under whatever frame header or scan count a test wants.
public enum CraftedJPEG {
    /// A baseline JPEG whose frame header claims `width × height` at `precision` bits
    /// (SOF1 when it is not 8), with data for one block only.
    public static func baseline(width: UInt16 = 8, height: UInt16 = 8, precision: UInt8 = 8) -> [UInt8] {
        frame(marker: precision == 8 ? 0xC0 : 0xC1, width: width, height: height, precision: precision)
            + scan(0, 63, 0, 0, data: 0x3F) + [0xFF, 0xD9]
    }

    /// A valid 8×8 progressive JPEG of 896 scans: the DC and each of the 63 AC
    /// coefficients sent as a first scan at Al = 13 and 13 refinement scans.
    public static func manyScans() -> [UInt8] {
        var bytes = frame(marker: 0xC2, width: 8, height: 8, precision: 8)
        for k: UInt8 in 0...63 {
            bytes += scan(k, k, 0, 13, data: 0x7F)
            for ah: UInt8 in stride(from: 13, through: 1, by: -1) { bytes += scan(k, k, ah, ah - 1, data: 0x7F) }
        }
        return bytes + [0xFF, 0xD9]
    }

    /// SOI, a quantisation table of ones, the frame header and DC/AC Huffman tables
    /// whose only code, "0", means "no difference" and "end of block".
    static func frame(marker: UInt8, width: UInt16, height: UInt16, precision: UInt8) -> [UInt8] {
        let dqt: [UInt8] = [0xFF, 0xDB, 0, 67, 0] + [UInt8](repeating: 1, count: 64)
        let sof: [UInt8] = [0xFF, marker, 0, 11, precision, UInt8(height >> 8), UInt8(height & 0xFF),
                            UInt8(width >> 8), UInt8(width & 0xFF), 1, 1, 0x11, 0]
        let oneCode = [1] + [UInt8](repeating: 0, count: 15) + [0]
        let dht: [UInt8] = [0xFF, 0xC4, 0, 20, 0x00] + oneCode + [0xFF, 0xC4, 0, 20, 0x10] + oneCode
        return [0xFF, 0xD8] + dqt + sof + dht
    }

    /// One scan of the single component over coefficients `ss…se` at successive approximation `ah`/`al`.
    static func scan(_ ss: UInt8, _ se: UInt8, _ ah: UInt8, _ al: UInt8, data: UInt8) -> [UInt8] {
        [0xFF, 0xDA, 0, 8, 1, 1, 0x00, ss, se, ah << 4 | al, data]
    }
}
