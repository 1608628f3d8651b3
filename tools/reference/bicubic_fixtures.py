"""Writes the bicubic fixtures of Tests/DataTests/Fixtures/bicubic/ from bicubic.py.

Run from the repository root:  python3 tools/reference/bicubic_fixtures.py
Each fixture is raw: width and height as little-endian uint32, then H*W*3 bytes (RGB,
row by row). For every case it also reports how many pixels would differ if the
intermediate image were not rounded (MATLAB rounds it; see bicubic.py).
"""
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from bicubic import imresize  # noqa: E402

OUT = 'Tests/DataTests/Fixtures/bicubic'


def test_image(h, w, seed):
    """Smooth gradients, hard edges near 0 and 255 (so overshoot gets clamped) and noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([255 * x / (w - 1), 255 * y / (h - 1), 128 + 100 * np.sin(x * 0.7 + y * 0.3)], axis=2)
    img[(x // 5 + y // 4) % 3 == 0] = [250, 5, 255]
    img[h // 3:h // 2, w // 4:w // 2] = [0, 255, 0]
    img += rng.normal(0, 12, img.shape)
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def save(name, img):
    h, w, _ = img.shape
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(struct.pack('<II', w, h))
        f.write(img.tobytes())


def main():
    os.makedirs(OUT, exist_ok=True)
    big = test_image(24, 36, 1)       # multiple of 2, 3, 4 (and 12)
    odd = test_image(29, 37, 2)       # no scale divides it
    small = test_image(10, 13, 3)     # source of the upscaling cases
    save('input_36x24.rgb', big)
    save('input_37x29.rgb', odd)
    save('input_13x10.rgb', small)
    cases = [('down2_36x24.rgb', big, 1 / 2), ('down3_36x24.rgb', big, 1 / 3), ('down4_36x24.rgb', big, 1 / 4),
             ('down2_37x29.rgb', odd, 1 / 2), ('down3_37x29.rgb', odd, 1 / 3), ('down4_37x29.rgb', odd, 1 / 4),
             ('up2_13x10.rgb', small, 2), ('up3_13x10.rgb', small, 3), ('up4_13x10.rgb', small, 4)]
    for name, src, s in cases:
        out = imresize(src, s)
        float_path = imresize(src, s, round_between=False)
        differ = int(np.count_nonzero(out != float_path))
        print(f'{name}: {out.shape[1]}x{out.shape[0]}, {differ} values differ without intermediate rounding')
        save(name, out)


if __name__ == '__main__':
    main()
