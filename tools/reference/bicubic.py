"""Independent NumPy reference for MATLAB's imresize(img, scale, 'bicubic') on uint8 RGB.

Written from MATLAB's documented algorithm, deliberately in a different shape from
Sources/Data/Bicubic.swift: each 1-D pass is a dense (out x in) weight matrix built
by evaluating the kernel at every (output, padded input) pair, folding the symmetric
padding into the matrix, and applied with a matrix product.

What MATLAB does, and this file reproduces:
  * Keys cubic kernel, a = -0.5; when shrinking (scale < 1) the kernel is stretched
    to h(x) = scale * cubic(scale * x), i.e. width 4 / scale (antialiasing);
  * output pixel i (1-based) maps to input coordinate u = i / scale + 0.5 (1 - 1/scale);
  * the weights of each output pixel are normalised to sum to 1;
  * out-of-range inputs are mirrored symmetrically (index 0 -> 1, n+1 -> n);
  * dimension 1 (rows, i.e. vertically) first when both scales are equal
    (MATLAB sorts the scales and the sort is stable);
  * for uint8 input each 1-D pass returns uint8 (imresizemex keeps the class),
    so the intermediate image is rounded and clamped to 0..255 between the passes;
  * rounding is MATLAB's double -> uint8 conversion: half away from zero
    (np.round would round half to even and differ on exact ties, which are common
    for x2 and x4 where every weight is a dyadic fraction).
"""
import numpy as np


def cubic(x):
    ax = np.abs(x)
    return np.where(ax <= 1, 1.5 * ax**3 - 2.5 * ax**2 + 1,
                    np.where(ax <= 2, -0.5 * ax**3 + 2.5 * ax**2 - 4 * ax + 2, 0.0))


def weight_matrix(in_len, out_len, scale):
    """Dense (out_len, in_len) matrix of one 1-D bicubic pass."""
    width = 4.0 / scale if scale < 1 else 4.0
    out = np.zeros((out_len, in_len))
    for i in range(out_len):
        u = (i + 1) / scale + 0.5 * (1 - 1 / scale)
        lo = int(np.floor(u - width / 2))
        js = np.arange(lo, lo + int(np.ceil(width)) + 2)  # 1-based input positions
        d = u - js
        w = scale * cubic(scale * d) if scale < 1 else cubic(d)
        w = w / w.sum()
        for j, wj in zip(js, w):
            # symmetric padding on the 1-based axis: 0 -> 1, -1 -> 2, n+1 -> n
            k = j - 1
            period = 2 * in_len
            k = k % period
            if k >= in_len:
                k = period - 1 - k
            out[i, k] += wj
    return out


def to_uint8(x):
    return np.floor(np.clip(x, 0, 255) + 0.5).astype(np.uint8)


def imresize(img, scale, out_h=None, out_w=None, round_between=True):
    """img: uint8 (H, W, 3). Output size defaults to MATLAB's ceil(size * scale)."""
    h, w, _ = img.shape
    out_h = out_h if out_h is not None else int(np.ceil(h * scale))
    out_w = out_w if out_w is not None else int(np.ceil(w * scale))
    rows = weight_matrix(h, out_h, scale)
    cols = weight_matrix(w, out_w, scale)
    x = img.astype(np.float64)
    x = np.einsum('oh,hwc->owc', rows, x)
    if round_between:
        x = to_uint8(x).astype(np.float64)
    x = np.einsum('pw,owc->opc', cols, x)
    return to_uint8(x)
