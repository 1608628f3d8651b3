"""EDSR's and MDSR's parameter names and shapes as EDSR-PyTorch (src/model/edsr.py,
src/model/mdsr.py) registers them, which is also srdist's checkpoint order; shared by
pt_to_srdist.py and srdist_to_pt.py."""

# EDSR-PyTorch's MeanShift: a frozen 1x1 conv subtracting (sign -1) or adding (+1) the
# DIV2K mean, times rgb_range. srdist applies it in code, so it is not stored.
DIV2K_MEAN = (0.4488, 0.4371, 0.4040)
MEANSHIFT_PREFIXES = ("sub_mean.", "add_mean.")
FORMAT = "srdist-checkpoint"
VERSION = 1
# MDSR's per-scale pre-processing: two 5x5 residual blocks (mdsr.py).
MDSR_PRE_BLOCKS = 2


class ModelShape:
    """What a set of tensor shapes describes: arch ("edsr"/"mdsr"), blocks, features, scales."""

    def __init__(self, arch, blocks, features, scales):
        self.arch, self.blocks, self.features, self.scales = arch, blocks, features, list(scales)

    def __str__(self):
        return f"{self.arch.upper()} B{self.blocks} F{self.features} " + "/".join(f"x{s}" for s in self.scales)


def _convs(names):
    layout = []
    for prefix, cin, cout, k in names:
        layout += [(prefix + ".weight", (cout, cin, k, k)), (prefix + ".bias", (cout,))]
    return layout


def _upsampler(prefix, features, scale):
    factors = {2: [2], 3: [3], 4: [2, 2]}[scale]
    return [(f"{prefix}.{2 * i}", features, r * r * features, 3) for i, r in enumerate(factors)]


def _body(blocks, f):
    names = []
    for i in range(blocks):
        names += [(f"body.{i}.body.0", f, f, 3), (f"body.{i}.body.2", f, f, 3)]
    return names + [(f"body.{blocks}", f, f, 3)]


def layout(shape):
    """[(name, shape)] of every trainable tensor, in registration (state_dict) order."""
    f = shape.features
    if shape.arch == "edsr":
        names = [("head.0", 3, f, 3)] + _body(shape.blocks, f) + _upsampler("tail.0", f, shape.scales[0]) + [("tail.1", f, 3, 3)]
        return _convs(names)
    names = []
    for i in range(len(shape.scales)):
        for j in range(MDSR_PRE_BLOCKS):
            names += [(f"pre_process.{i}.{j}.body.0", f, f, 5), (f"pre_process.{i}.{j}.body.2", f, f, 5)]
    for i, s in enumerate(shape.scales):
        names += _upsampler(f"upsample.{i}", f, s)
    names += [("head.0", 3, f, 3)] + _body(shape.blocks, f) + [("tail.0", f, 3, 3)]
    return _convs(names)


def meanshift_positions(shape):
    """Where EDSR-PyTorch's state_dict holds the MeanShift tensors: the name of the
    tensor each prefix comes before (edsr.py assigns both first; mdsr.py sub_mean first
    and add_mean after the upsamplers, before head)."""
    first = layout(shape)[0][0]
    return {"sub_mean": first, "add_mean": first if shape.arch == "edsr" else "head.0.weight"}


def _upsampler_scale(shapes, prefix, features, what):
    if f"{prefix}.2.weight" in shapes:
        return 4
    up = shapes.get(f"{prefix}.0.weight", (0,))[0]
    scale = {4 * features: 2, 9 * features: 3}.get(up)
    if scale is None:
        raise SystemExit(f"error: {what}: {prefix}.0.weight has {up} output channels, expected {4 * features} (x2) "
                         f"or {9 * features} (x3)")
    return scale


def infer(shapes, what):
    """The ModelShape of a state_dict or checkpoint given {name: shape} (MeanShift dropped)."""
    if "head.0.weight" not in shapes:
        raise SystemExit(f"error: {what}: no head.0.weight: not an EDSR or MDSR state_dict")
    features = shapes["head.0.weight"][0]
    blocks = 0
    while f"body.{blocks}.body.0.weight" in shapes:
        blocks += 1
    if any(n.startswith(("pre_process.", "upsample.")) for n in shapes):
        branches = 0
        while f"upsample.{branches}.0.weight" in shapes:
            branches += 1
        scales = [_upsampler_scale(shapes, f"upsample.{i}", features, what) for i in range(branches)]
        if not scales:
            raise SystemExit(f"error: {what}: an MDSR state_dict without upsample.0.0.weight")
        return ModelShape("mdsr", blocks, features, scales)
    return ModelShape("edsr", blocks, features, [_upsampler_scale(shapes, "tail.0", features, what)])


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
            print(f"wrong shape in {what}: {name} is {list(shapes[name])}, the model needs {list(shape)}")
            problems += 1
    for name in shapes:
        if name not in want:
            print(f"extra in {what}: {name} {list(shapes[name])}")
            problems += 1
    return problems
