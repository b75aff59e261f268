#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Plots a training run of `initforge train` (one run or every variant of an
experiment, one line each):

  loss.png            train (solid) and test (dashed) loss per epoch
  accuracy.png        train (solid) and test (dashed) accuracy per epoch
  activation_std.png  std of each Linear/Conv2d layer's output at
                      initialization (epoch 0 of probes.csv; every layer's
                      when there are none), log scale: He et al. 2015's figure

    tools/plot_training.py RUN_DIR

RUN_DIR holds metrics.csv (and probes.csv) itself, or one subdirectory per
variant that does (ordered as in RUN_DIR/comparison.csv when present).
Needs matplotlib (Debian: python3-matplotlib); when this python lacks it the
script re-runs itself with /usr/bin/python3, and exits 3 with one line
saying what is missing when that has none either. Files are written
atomically (temporary name, fsync, rename).
"""
import csv
import math
import os
import sys

MISSING_DEPENDENCY = 3
SYSTEM_PYTHON = "/usr/bin/python3"


def import_pyplot():
    """matplotlib.pyplot on the Agg backend, or re-run / exit 3."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        return plt
    except ImportError as e:
        reason = str(e)
    if (os.path.exists(SYSTEM_PYTHON) and
            os.path.realpath(sys.executable) != os.path.realpath(SYSTEM_PYTHON) and
            not os.environ.get("INITFORGE_PLOT_REEXEC")):
        os.environ["INITFORGE_PLOT_REEXEC"] = "1"
        os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON] + sys.argv)
    print("matplotlib is not available to %s (%s); Debian: apt-get install "
          "python3-matplotlib" % (sys.executable, reason), file=sys.stderr)
    sys.exit(MISSING_DEPENDENCY)


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def runs_of(run_dir):
    """[(label, directory)] of the run or of each variant."""
    if os.path.exists(os.path.join(run_dir, "metrics.csv")):
        return [(os.path.basename(os.path.normpath(run_dir)), run_dir)]
    names = sorted(d for d in os.listdir(run_dir)
                   if os.path.exists(os.path.join(run_dir, d, "metrics.csv")))
    comparison = os.path.join(run_dir, "comparison.csv")
    if os.path.exists(comparison):  # the experiment's own variant order
        order = [row["variant"] for row in read_csv(comparison)]
        names.sort(key=lambda n: order.index(n) if n in order else len(order))
    return [(n, os.path.join(run_dir, n)) for n in names]


def column(rows, key):
    return [number(r.get(key)) for r in rows]


WEIGHT_LAYERS = ("Linear", "Conv2d")


def init_activation_std(directory):
    """[(layer, std)] at epoch 0 of probes.csv in layer order: the outputs
    of the Linear/Conv2d layers when there are any (the responses whose
    scale the initializer sets), else of every layer; [] without probes."""
    path = os.path.join(directory, "probes.csv")
    if not os.path.exists(path):
        return []
    rows = [r for r in read_csv(path)
            if number(r.get("epoch")) == 0 and r.get("kind", "layer") == "layer"
            and r.get("activation_std")]
    weighted = [r for r in rows if r.get("type") in WEIGHT_LAYERS]
    return [(r.get("name", str(i)), number(r["activation_std"]))
            for i, r in enumerate(weighted or rows)]


def save(fig, path):
    """savefig to a temporary file in the same directory, fsync, rename."""
    temp = os.path.join(os.path.dirname(path) or ".",
                        ".%s.tmp.%d" % (os.path.basename(path), os.getpid()))
    try:
        with open(temp, "wb") as f:
            fig.savefig(f, format="png", dpi=120, bbox_inches="tight")
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.remove(temp)


def curves(plt, runs, metrics, key, ylabel, path, log=False):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for i, (label, _) in enumerate(runs):
        rows = metrics[label]
        epochs = column(rows, "epoch")
        color = "C%d" % (i % 10)
        ax.plot(epochs, column(rows, "train_" + key), "-o", color=color, ms=3,
                label=label + " train")
        ax.plot(epochs, column(rows, "test_" + key), "--s", color=color, ms=3,
                label=label + " test")
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    save(fig, path)
    plt.close(fig)


def activation_plot(plt, runs, path):
    """True when written (some run had probes)."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    names = None
    for i, (label, directory) in enumerate(runs):
        probes = init_activation_std(directory)
        if not probes:
            continue
        # Log scale: a dead layer's std of 0 shows as a gap, not an error.
        values = [v if v > 0 else math.nan for _, v in probes]
        ax.plot(range(1, len(values) + 1), values, "-o", ms=3,
                color="C%d" % (i % 10), label=label)
        names = names or [n for n, _ in probes]
    if names is None:
        plt.close(fig)
        return False
    ax.set_yscale("log")
    ax.set_xlabel("layer (depth)")
    ax.set_ylabel("output std at initialization (probe batch)")
    if len(names) <= 16:
        ax.set_xticks(range(1, len(names) + 1))
        ax.set_xticklabels(names, rotation=45, ha="right", fontsize="small")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    save(fig, path)
    plt.close(fig)
    return True


def main(argv):
    if len(argv) != 2 or argv[1].startswith("-"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    run_dir = argv[1]
    if not os.path.isdir(run_dir):
        print("error: %s: not a directory" % run_dir, file=sys.stderr)
        return 2
    runs = runs_of(run_dir)
    if not runs:
        print("error: %s: no metrics.csv there or in its subdirectories" % run_dir,
              file=sys.stderr)
        return 2
    plt = import_pyplot()
    metrics = {label: read_csv(os.path.join(d, "metrics.csv")) for label, d in runs}
    written = [os.path.join(run_dir, "loss.png"), os.path.join(run_dir, "accuracy.png")]
    curves(plt, runs, metrics, "loss", "loss", written[0])
    curves(plt, runs, metrics, "acc", "accuracy", written[1])
    activation = os.path.join(run_dir, "activation_std.png")
    if activation_plot(plt, runs, activation):
        written.append(activation)
    else:
        print("note: no probes.csv with activation_std: %s not written" % activation)
    print("plots: " + ", ".join(written))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
