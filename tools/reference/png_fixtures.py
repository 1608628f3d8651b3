"""Writes PNGs of every colour type and bit depth, plus the RGB each must decode to.

Run from the repository root:  python3 tools/reference/png_fixtures.py
The PNGs are assembled by hand (zlib + CRC) so the exact stored samples are known.
Expected RGB (raw: width, height as little-endian uint32, then H*W*3 bytes) follows
the documented conversions: grey -> R=G=B, palette -> its colours, alpha ignored
(the stored colour is kept, not blended), 16-bit -> round(v / 257), low bit depths
scaled to 0..255. One file also carries a gAMA chunk of 1.0, which must be ignored
as imageio/PIL ignore it (the data is used as stored).
"""
import os
import struct
import zlib

import numpy as np

OUT = 'Tests/DataTests/Fixtures/png'
W, H = 7, 5


def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width, height, depth, color_type, rows, extra=()):
    """rows: list of bytes, one per scanline, already packed (no filter byte)."""
    raw = b''.join(b'\x00' + r for r in rows)
    ihdr = struct.pack('>IIBBBBB', width, height, depth, color_type, 0, 0, 0)
    body = chunk(b'IHDR', ihdr)
    for kind, data in extra:
        body += chunk(kind, data)
    return b'\x89PNG\r\n\x1a\n' + body + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b'')


def save_rgb(name, rgb):
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(struct.pack('<II', rgb.shape[1], rgb.shape[0]))
        f.write(rgb.astype(np.uint8).tobytes())


def write(name, data, rgb):
    with open(os.path.join(OUT, name + '.png'), 'wb') as f:
        f.write(data)
    save_rgb(name + '.rgb', rgb)


def pack_bits(values, depth):
    """Packs one row of small integers MSB first."""
    out, acc, n = bytearray(), 0, 0
    for v in values:
        acc = (acc << depth) | int(v)
        n += depth
        if n == 8:
            out.append(acc)
            acc, n = 0, 0
    if n:
        out.append(acc << (8 - n))
    return bytes(out)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(7)
    rgb8 = rng.integers(0, 256, (H, W, 3), dtype=np.uint16)
    alpha8 = rng.integers(0, 256, (H, W), dtype=np.uint16)
    gray8 = rng.integers(0, 256, (H, W), dtype=np.uint16)
    rgb16 = rng.integers(0, 65536, (H, W, 3), dtype=np.uint32)
    gray16 = rng.integers(0, 65536, (H, W), dtype=np.uint32)
    alpha16 = rng.integers(0, 65536, (H, W), dtype=np.uint32)
    to8 = lambda v: (v * 255 + 32767) // 65535  # round(v / 257)

    write('rgb8', png(W, H, 8, 2, [bytes(r.astype(np.uint8).ravel()) for r in rgb8]), rgb8)
    write('rgb8_gamma1', png(W, H, 8, 2, [bytes(r.astype(np.uint8).ravel()) for r in rgb8],
                             [(b'gAMA', struct.pack('>I', 100000))]), rgb8)
    rgba = np.concatenate([rgb8, alpha8[..., None]], axis=2)
    write('rgba8', png(W, H, 8, 6, [bytes(r.astype(np.uint8).ravel()) for r in rgba]), rgb8)
    write('gray8', png(W, H, 8, 0, [bytes(r.astype(np.uint8)) for r in gray8]), np.repeat(gray8[..., None], 3, 2))
    ga = np.stack([gray8, alpha8], axis=2)
    write('grayalpha8', png(W, H, 8, 4, [bytes(r.astype(np.uint8).ravel()) for r in ga]),
          np.repeat(gray8[..., None], 3, 2))
    for depth in (1, 2, 4):
        g = rng.integers(0, 1 << depth, (H, W))
        write(f'gray{depth}', png(W, H, depth, 0, [pack_bits(r, depth) for r in g]),
              np.repeat((g * 255 // ((1 << depth) - 1))[..., None], 3, 2))
    palette = rng.integers(0, 256, (16, 3))
    idx = rng.integers(0, 16, (H, W))
    plte = (b'PLTE', bytes(palette.astype(np.uint8).ravel()))
    write('palette4', png(W, H, 4, 3, [pack_bits(r, 4) for r in idx], [plte]), palette[idx])
    trns = (b'tRNS', bytes(rng.integers(0, 256, 16).astype(np.uint8)))
    write('palette8_trns', png(W, H, 8, 3, [bytes(r.astype(np.uint8)) for r in idx], [plte, trns]), palette[idx])
    be16 = lambda a: a.astype('>u2').tobytes()
    write('rgb16', png(W, H, 16, 2, [be16(r.ravel()) for r in rgb16]), to8(rgb16))
    write('gray16', png(W, H, 16, 0, [be16(r) for r in gray16]), np.repeat(to8(gray16)[..., None], 3, 2))
    rgba16 = np.concatenate([rgb16, alpha16[..., None]], axis=2)
    write('rgba16', png(W, H, 16, 6, [be16(r.ravel()) for r in rgba16]), to8(rgb16))
    # Not PNGs: a truncated file and a text file.
    good = png(W, H, 8, 2, [bytes(r.astype(np.uint8).ravel()) for r in rgb8])
    with open(os.path.join(OUT, 'truncated.png'), 'wb') as f:
        f.write(good[:len(good) // 2])
    with open(os.path.join(OUT, 'notpng.png'), 'wb') as f:
        f.write(b'this is a text file, not an image\n')


if __name__ == '__main__':
    main()
