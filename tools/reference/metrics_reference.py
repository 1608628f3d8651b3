"""Reference PSNR and SSIM values for srdist's Metrics tests (numpy only).

Follows BasicSR's `calculate_psnr` / `calculate_ssim` (basicsr/metrics/psnr_ssim.py)
with `test_y_channel`, whose SSIM is MATLAB's `ssim_index`: 11×11 Gaussian window
(σ 1.5) applied as a full 2-D window (not separably, unlike srdist), "valid" region,
C1 = (0.01·255)², C2 = (0.03·255)², float64, per channel then averaged.

Two deliberate differences from BasicSR's code, both matching srdist's Y formula
(ITU-R BT.601, as MATLAB's rgb2ycbcr): images are RGB (BasicSR reads BGR through OpenCV and reverses the weights),
and Y is kept in float64 where BasicSR rounds it to float32 (the script prints how
far BasicSR's float32 Y would move each value).

Writes Tests/MetricsTests/Fixtures/metrics_reference.json: deterministic image
pairs (odd sizes, an HR larger than its SR to test the crop) as base64 RGB bytes,
and the expected PSNR/SSIM on Y and RGB for several shaves.

    python3 tools/reference/metrics_reference.py   # needs numpy
"""

import base64
import json
import os

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(REPO, "Tests", "MetricsTests", "Fixtures", "metrics_reference.json")

Y_WEIGHTS = np.array([65.481, 128.553, 24.966])  # R, G, B


def to_y(img, dtype=np.float64):
    """BT.601 luma on 0…255 of an HWC uint8 RGB image, as BasicSR's to_y_channel."""
    x = img.astype(dtype) / dtype(255)
    y = x @ Y_WEIGHTS.astype(dtype) + dtype(16)
    return (y[..., None] / dtype(255) * dtype(255)).astype(np.float64)


def prepare(sr, hr, shave, on_y, y_dtype=np.float64):
    """HR cropped to the SR size, both shaved, as float64 HWC planes."""
    h, w, _ = sr.shape
    hr = hr[:h, :w]
    if shave:
        sr, hr = sr[shave:-shave, shave:-shave], hr[shave:-shave, shave:-shave]
    if on_y:
        return to_y(sr, y_dtype), to_y(hr, y_dtype)
    return sr.astype(np.float64), hr.astype(np.float64)


def psnr(sr, hr, shave, on_y, y_dtype=np.float64):
    a, b = prepare(sr, hr, shave, on_y, y_dtype)
    mse = np.mean((a - b) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255.0 * 255.0 / mse)


def gaussian_window(size=11, sigma=1.5):
    """MATLAB's fspecial('gaussian', 11, 1.5)."""
    r = np.arange(size) - size // 2
    xx, yy = np.meshgrid(r, r)
    g = np.exp(-(xx ** 2 + yy ** 2) / (2 * sigma ** 2))
    return g / g.sum()


def filter_valid(img, window):
    """2-D correlation over the positions where the window fits (MATLAB filter2 'valid')."""
    patches = np.lib.stride_tricks.sliding_window_view(img, window.shape)
    return np.einsum("ijkl,kl->ij", patches, window)


def ssim_plane(a, b):
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    win = gaussian_window()
    mu1, mu2 = filter_valid(a, win), filter_valid(b, win)
    s11 = filter_valid(a * a, win) - mu1 ** 2
    s22 = filter_valid(b * b, win) - mu2 ** 2
    s12 = filter_valid(a * b, win) - mu1 * mu2
    m = ((2 * mu1 * mu2 + c1) * (2 * s12 + c2)) / ((mu1 ** 2 + mu2 ** 2 + c1) * (s11 + s22 + c2))
    return m.mean()


def ssim(sr, hr, shave, on_y, y_dtype=np.float64):
    a, b = prepare(sr, hr, shave, on_y, y_dtype)
    return float(np.mean([ssim_plane(a[..., c], b[..., c]) for c in range(a.shape[2])]))


def image_pair(rng, width, height, hr_width, hr_height, noise):
    """A smooth textured HR image and a degraded copy (blur-like shift plus noise)."""
    yy, xx = np.mgrid[0:hr_height, 0:hr_width].astype(np.float64)
    phase = rng.uniform(0, 2 * np.pi, 3)
    hr = np.stack([128 + 70 * np.sin(xx / 4.3 + phase[c]) * np.cos(yy / 6.1 - phase[c]) for c in range(3)], axis=-1)
    hr += rng.normal(0, 12, hr.shape)
    hr = np.clip(np.round(hr), 0, 255).astype(np.uint8)
    base = hr[:height, :width].astype(np.float64)
    sr = 0.5 * base + 0.25 * np.roll(base, 1, axis=0) + 0.25 * np.roll(base, 1, axis=1)
    sr += rng.normal(0, noise, sr.shape) + rng.uniform(-3, 3)
    sr = np.clip(np.round(sr), 0, 255).astype(np.uint8)
    return sr, hr


CASES = [  # name, SR width, SR height, HR width, HR height, noise σ
    ("odd_37x41", 37, 41, 37, 41, 6.0),
    ("wide_64x33", 64, 33, 64, 33, 2.0),
    ("crop_45x39_from_47x40", 45, 39, 47, 40, 10.0),
]
SHAVES = [0, 2, 3, 4, 8, 10]


def main():
    rng = np.random.default_rng(20240531)
    cases = []
    worst_y32 = (0.0, 0.0)
    for name, w, h, hw, hh, noise in CASES:
        sr, hr = image_pair(rng, w, h, hw, hh, noise)
        expected = []
        for shave in SHAVES:
            for on_y in (True, False):
                p, s = psnr(sr, hr, shave, on_y), ssim(sr, hr, shave, on_y)
                expected.append({"shave": shave, "on_y": on_y, "psnr": p, "ssim": s})
                if on_y:
                    d = (abs(p - psnr(sr, hr, shave, True, np.float32)), abs(s - ssim(sr, hr, shave, True, np.float32)))
                    worst_y32 = tuple(max(a, b) for a, b in zip(worst_y32, d))
        cases.append({
            "name": name, "width": w, "height": h, "hr_width": hw, "hr_height": hh,
            "sr": base64.b64encode(sr.tobytes()).decode(), "hr": base64.b64encode(hr.tobytes()).decode(),
            "expected": expected,
        })
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"cases": cases}, f, indent=1)
        f.write("\n")
    print(f"{OUT}: {len(cases)} pairs × {len(SHAVES) * 2} protocols")
    print(f"BasicSR's float32 Y would move PSNR by ≤ {worst_y32[0]:.2e} dB and SSIM by ≤ {worst_y32[1]:.2e}")
    for c in cases:
        e = {(x["shave"], x["on_y"]): x for x in c["expected"]}
        print(f"  {c['name']}: Y/shave 2 {e[(2, True)]['psnr']:.4f} dB {e[(2, True)]['ssim']:.6f}, "
              f"RGB/shave 8 {e[(8, False)]['psnr']:.4f} dB {e[(8, False)]['ssim']:.6f}")


if __name__ == "__main__":
    main()
