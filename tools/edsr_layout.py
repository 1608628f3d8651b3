"""EDSR's parameter names and shapes as EDSR-PyTorch (src/model/edsr.py) registers
them, which is also srdist's order; shared by pt_to_srdist.py and srdist_to_pt.py."""

# EDSR-PyTorch's MeanShift: a frozen 1x1 conv subtracting (sign -1) or adding (+1) the
# DIV2K mean, times rgb_range. srdist applies it in code, so it is not stored.
DIV2K_MEAN = (0.4488, 0.4371, 0.4040)
MEANSHIFT_PREFIXES = ("sub_mean.", "add_mean.")
FORMAT = "srdist-checkpoint"
VERSION = 1


def edsr_layout(blocks, features, scale):
    """[(name, shape)] of every trainable EDSR tensor, in registration order."""
    f = features
    names = [("head.0", 3, f)]
    for i in range(blocks):
        names += [(f"body.{i}.body.0", f, f), (f"body.{i}.body.2", f, f)]
    names.append((f"body.{blocks}", f, f))
    factors = {2: [2], 3: [3], 4: [2, 2]}[scale]
    names += [(f"tail.0.{2 * i}", f, r * r * f) for i, r in enumerate(factors)]
    names.append(("tail.1", f, 3))
    layout = []
    for prefix, cin, cout in names:
        layout += [(prefix + ".weight", (cout, cin, 3, 3)), (prefix + ".bias", (cout,))]
    return layout


def infer_edsr(shapes):
    """(blocks, features, scale) of an EDSR state_dict given {name: shape}."""
    if any(n.startswith(("pre_process.", "upsample.")) for n in shapes):
        raise SystemExit("error: this is an MDSR state_dict; only EDSR is supported so far")
    if "head.0.weight" not in shapes:
        raise SystemExit("error: no head.0.weight: not an EDSR state_dict")
    features = shapes["head.0.weight"][0]
    blocks = 0
    while f"body.{blocks}.body.0.weight" in shapes:
        blocks += 1
    if "tail.0.2.weight" in shapes:
        scale = 4
    else:
        up = shapes.get("tail.0.0.weight", (0,))[0]
        scale = {4 * features: 2, 9 * features: 3}.get(up)
        if scale is None:
            raise SystemExit(f"error: tail.0.0.weight has {up} output channels, expected {4 * features} (x2) "
                             f"or {9 * features} (x3)")
    return blocks, features, scale


def compare(shapes, expected, what):
    """Lists tensors missing from / extra in / misshapen in `shapes` against the
    expected layout; returns the number of problems."""
    want = dict(expected)
    problems = 0
    for name, shape in expected:
        if name not in shapes:
            print(f"missing in {what}: {name} {list(shape)}")
            problems += 1
        elif tuple(shapes[name]) != tuple(shape):
            print(f"wrong shape in {what}: {name} is {list(shapes[name])}, EDSR needs {list(shape)}")
            problems += 1
    for name in shapes:
        if name not in want:
            print(f"extra in {what}: {name} {list(shapes[name])}")
            problems += 1
    return problems
