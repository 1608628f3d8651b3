"""Writes small JPEGs and the RGB pixels the Python SR tools decode from them.

Run from the repository root with Pillow, NumPy and opencv-python(-headless) installed:
    python tools/reference/jpeg_fixtures.py
Each <name>.jpg gets <name>.rgb (raw: width, height as little-endian uint32, then
H*W*3 bytes): PIL's Image.open(p).convert('RGB'). The script checks that OpenCV's
cv2.imread(p) (BGR, turned to RGB) gives the same pixels, so the fixture is what both
BasicSR-style (cv2) and PIL-based loaders feed a model. Odd sizes exercise the chroma
upsampling at the right and bottom edges. cmyk.jpg has no .rgb: srdist refuses it.
"""
import io
import os
import struct

import cv2
import numpy as np
from PIL import Image

OUT = 'Tests/DataTests/Fixtures/jpeg'
W, H = 37, 29


def picture():
    """Smooth colour ramps plus a sharp-edged square and seeded noise: every DCT band busy."""
    y, x = np.mgrid[0:H, 0:W]
    rng = np.random.default_rng(35)
    rgb = np.stack([x * 255 / (W - 1), y * 255 / (H - 1), (x + y) * 255 / (W + H - 2)], axis=-1)
    rgb[8:20, 10:24] = [250, 30, 60]
    rgb += rng.normal(0, 12, rgb.shape)
    return np.clip(np.round(rgb), 0, 255).astype(np.uint8)


def save_rgb(name, rgb):
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(struct.pack('<II', rgb.shape[1], rgb.shape[0]))
        f.write(np.ascontiguousarray(rgb, dtype=np.uint8).tobytes())


def write(name, image, **options):
    path = os.path.join(OUT, name + '.jpg')
    image.save(path, 'JPEG', **options)
    if image.mode == 'CMYK':
        return
    pil = np.asarray(Image.open(path).convert('RGB'))
    cv = cv2.imread(path, cv2.IMREAD_COLOR)[:, :, ::-1]
    assert np.array_equal(pil, cv), f'{name}: PIL and OpenCV decode differently'
    save_rgb(name + '.rgb', pil)


os.makedirs(OUT, exist_ok=True)
rgb = Image.fromarray(picture(), 'RGB')
write('rgb420', rgb, quality=85, subsampling=2)
write('rgb422_progressive', rgb, quality=90, subsampling=1, progressive=True)
write('rgb444', rgb, quality=95, subsampling=0)
write('grey', rgb.convert('L'), quality=90)
write('cmyk', rgb.convert('CMYK'), quality=90)
