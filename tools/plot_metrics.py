#!/usr/bin/env python3
"""Charts of a training run from its metrics.jsonl.

    python3 tools/plot_metrics.py RUN_DIR [--out DIR]

Writes loss.png (running-mean L1 loss per progress line), lr.png (learning rate) and
val_psnr.png (validation PSNR of the model and of bicubic upscaling) into DIR (default:
RUN_DIR). Needs matplotlib (`python3 -m pip install matplotlib`).

The file is appended by every (re)start of the run, so a resumed run can log a step
twice (steps after its checkpoint that the interrupted job had already logged); the
later record wins, as it belongs to the history the run went on with.
"""
import argparse
import json
import os
import sys


def read_records(path):
    """Records by event, each a list sorted by step with one record per step."""
    by_event = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by a killed job
            if isinstance(record, dict) and "step" in record:
                by_event.setdefault(record.get("event"), {})[record["step"]] = record
    return {event: [steps[s] for s in sorted(steps)] for event, steps in by_event.items()}


def chart(plt, path, title, ylabel, series, log_y=False, drawstyle="default"):
    """One line chart; series is a list of (label, steps, values, style)."""
    from matplotlib.ticker import ScalarFormatter
    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    for label, xs, ys, style in series:
        ax.plot(xs, ys, style, label=label, linewidth=1.5, markersize=4, drawstyle=drawstyle)
    ax.set(title=title, xlabel="step", ylabel=ylabel)
    if log_y:
        ax.set_yscale("log")
        for axis in (ax.yaxis.set_major_formatter, ax.yaxis.set_minor_formatter):
            axis(ScalarFormatter())
    ax.grid(True, alpha=0.3)
    if len(series) > 1:
        ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description="PNG charts of loss, learning rate and validation PSNR of an srdist run.")
    parser.add_argument("run_dir", help="the run folder (holds metrics.jsonl)")
    parser.add_argument("--out", help="folder for the PNG files (default: the run folder)")
    args = parser.parse_args()

    metrics = os.path.join(args.run_dir, "metrics.jsonl")
    if not os.path.isfile(metrics):
        sys.exit(f"plot_metrics.py: {metrics}: no such file (is {args.run_dir} an srdist run folder?)")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        sys.exit("plot_metrics.py: needs matplotlib: python3 -m pip install matplotlib")

    records = read_records(metrics)
    progress = records.get("progress", [])
    validation = records.get("validation", [])
    if not progress and not validation:
        sys.exit(f"plot_metrics.py: {metrics}: no progress or validation records yet")
    out = args.out or args.run_dir
    os.makedirs(out, exist_ok=True)
    name = os.path.basename(os.path.normpath(args.run_dir))
    written = []
    if progress:
        steps = [r["step"] for r in progress]
        chart(plt, os.path.join(out, "loss.png"), f"{name}: training loss", "L1 loss (mean since previous line)",
              [("loss", steps, [r["loss"] for r in progress], "-")], log_y=True)
        # A logged rate held for the steps since the previous line: draw it as a staircase.
        chart(plt, os.path.join(out, "lr.png"), f"{name}: learning rate", "learning rate",
              [("lr", steps, [r["lr"] for r in progress], "-")], drawstyle="steps-pre")
        written += ["loss.png", "lr.png"]
    if validation:
        steps = [r["step"] for r in validation]
        chart(plt, os.path.join(out, "val_psnr.png"), f"{name}: validation PSNR", "PSNR (dB)",
              [("model", steps, [r["psnr"] for r in validation], "o-"),
               ("bicubic", steps, [r["bicubic_psnr"] for r in validation], "--")])
        written.append("val_psnr.png")
    print(f"plot_metrics.py: wrote {', '.join(written)} to {out} "
          f"({len(progress)} progress, {len(validation)} validation records)")


if __name__ == "__main__":
    main()
