"""PyTorch (CPU) timings of the workloads srdist's `bench` measures, for comparison.

Each workload runs in a fresh child process (so peak RSS is its own) and prints one
JSON line: {"workload", "seconds", "patches_per_second", "peak_rss_mb", "threads",
"steps", "autocast"}. "seconds" is the median over --steps timed repetitions after --warmup
untimed ones. A training step is forward, mean L1 loss, backward and an Adam step
(β 0.9/0.999, ε 1e-8, lr 1e-4) on random 0…255 LR patches and HR targets; batch
sampling is not timed. With --autocast bf16 the forward pass and the loss run under
torch.autocast("cpu", dtype=torch.bfloat16) (backward follows autocast's casts; the
weights and Adam stay float32), what a PyTorch user of bf16 hardware would pick. The models are EDSR and MDSR exactly as EDSR-PyTorch builds them
(tools/reference/edsr_reference.py, mdsr_reference.py).

    python3 bench/pytorch_bench.py                      # all, 2 threads
    python3 bench/pytorch_bench.py --workloads edsr_baseline_x2 \\
        --steps 1 --warmup 0 --batch 2                                    # quick check

Needs torch (CPU): python3 -m venv DIR && DIR/bin/pip install 'torch==2.13.0+cpu'
(the CPU-only wheel).
"""

import argparse
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# name → (kind, scale, blocks, features, res_scale, batch, LR patch or image side)
WORKLOADS = {
    "edsr_baseline_x2": ("train", 2, 16, 64, 1.0, 16, 48),
    "edsr_baseline_x4": ("train", 4, 16, 64, 1.0, 16, 48),
    "edsr_x2_batch2": ("train", 2, 32, 256, 0.1, 2, 48),
    "edsr_baseline_x2_infer256": ("infer", 2, 16, 64, 1.0, 1, 256),
    # MDSR-baseline (scales 2, 3, 4) training a ×2 minibatch.
    "mdsr_baseline_x2": ("train", 2, 16, 64, 1.0, 16, 48),
}


def run_workload(name, args):
    """Times one workload in this process and returns its JSON record."""
    import torch

    sys.path.insert(0, os.path.join(HERE, "..", "tools", "reference"))
    from edsr_reference import EDSR
    from mdsr_reference import MDSR

    torch.set_num_threads(args.threads)
    kind, scale, blocks, features, res_scale, batch, side = WORKLOADS[name]
    batch = (args.batch if kind == "train" else None) or batch
    side = (args.size if kind == "infer" else args.patch) or side
    torch.manual_seed(0)
    if name.startswith("mdsr"):
        model = MDSR(blocks, features, [2, 3, 4])
        model.scale_idx = [2, 3, 4].index(scale)
    else:
        model = EDSR(scale, blocks, features, res_scale)
    lr = torch.rand(batch, 3, side, side) * 255
    autocast = (lambda: torch.autocast("cpu", dtype=torch.bfloat16)) if args.autocast == "bf16" else contextlib.nullcontext
    if kind == "train":
        hr = torch.rand(batch, 3, side * scale, side * scale) * 255
        opt = torch.optim.Adam(model.parameters(), lr=1e-4, betas=(0.9, 0.999), eps=1e-8)

        def step():
            opt.zero_grad(set_to_none=False)
            with autocast():
                loss = torch.nn.functional.l1_loss(model(lr).float(), hr)
            loss.backward()
            opt.step()
    else:
        model.eval()

        def step():
            with torch.no_grad(), autocast():
                model(lr)

    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    return {
        "workload": name,
        "seconds": round(seconds, 4),
        "patches_per_second": round(batch / seconds, 3),
        # ru_maxrss is in KiB on Linux.
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "threads": args.threads,
        "steps": args.steps,
        "batch": batch,
        "side": side,
        "autocast": args.autocast,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workloads", default=",".join(WORKLOADS),
                    help="comma-separated subset of: " + ", ".join(WORKLOADS) + " (default: all)")
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default: %(default)s)")
    ap.add_argument("--steps", type=int, default=3, help="timed repetitions; the median is reported (default: %(default)s)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed repetitions first (default: %(default)s)")
    ap.add_argument("--batch", type=int, help="override every training workload's batch size")
    ap.add_argument("--patch", type=int, help="override the LR patch side of training workloads")
    ap.add_argument("--size", type=int, help="override the LR image side of inference workloads")
    ap.add_argument("--autocast", choices=["none", "bf16"], default="none",
                    help="bf16: forward and loss under torch.autocast(\"cpu\", dtype=torch.bfloat16)")
    ap.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)  # the child's mode
    args = ap.parse_args()
    names = [n for n in args.workloads.split(",") if n]
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        ap.error(f"unknown workload {unknown[0]!r}; choose from {', '.join(WORKLOADS)}")
    if args.steps < 1 or args.warmup < 0 or args.threads < 1:
        ap.error("--steps and --threads must be at least 1, --warmup at least 0")

    if args.in_process:
        for name in names:
            print(json.dumps(run_workload(name, args)), flush=True)
        return
    # One child per workload: peak RSS then measures that workload alone.
    shared = [f"--{k}={v}" for k, v in (("threads", args.threads), ("steps", args.steps), ("warmup", args.warmup),
                                         ("batch", args.batch), ("patch", args.patch), ("size", args.size),
                                         ("autocast", args.autocast)) if v is not None]
    for name in names:
        cmd = [sys.executable, os.path.abspath(__file__), "--in-process", f"--workloads={name}"] + shared
        result = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
        if result.returncode != 0:
            sys.exit(f"pytorch_bench: workload {name} failed (exit {result.returncode})")
        sys.stdout.write(result.stdout)
        sys.stdout.flush()

if __name__ == "__main__":
    main()
