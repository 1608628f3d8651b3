"""Compact, exact JSON for float32 fixtures (shared by the reference scripts).

Python's json module writes a float32 value through its float64 repr (up to 17
digits). Here every float32 is written with the shortest decimal that reads back
as the same float32, also when a reader parses it as a Double first and then
rounds to Float (checked for every value), which keeps the fixtures exact at
about half the size.
"""

import json

import numpy as np


def float32_text(v):
    """Shortest decimal text that round-trips `v` as float32, via float64 too."""
    f = np.float32(v)
    if not np.isfinite(f):
        raise ValueError(f"non-finite value {f} cannot go into a JSON fixture")
    a = np.format_float_positional(f, unique=True, trim="-")
    b = np.format_float_scientific(f, unique=True, trim="-")
    text = min(a, b, key=len)
    if np.float32(float(text)) != f:
        raise AssertionError(f"{text} does not round-trip to float32 {f!r}")
    return text


class Float32Array:
    """Marks a numpy array to be written as {"shape": [...], "data": [flat float32...]}."""

    def __init__(self, array):
        self.array = np.ascontiguousarray(array, dtype=np.float32)


def dumps(value):
    """JSON text of nested dicts/lists/numbers/strings with Float32Array leaves."""
    if isinstance(value, Float32Array):
        data = ",".join(float32_text(x) for x in value.array.reshape(-1))
        return '{"shape":%s,"data":[%s]}' % (json.dumps(list(value.array.shape)), data)
    if isinstance(value, dict):
        items = ("%s:%s" % (json.dumps(k), dumps(v)) for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    return json.dumps(value)
