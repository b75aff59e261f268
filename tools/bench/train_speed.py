#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Training speed of initforge beside PyTorch 1.13, one table.

For configs/mlp.json, configs/cnn.json and configs/resnet20.json: the
seconds of one training epoch (60000 Fashion-MNIST samples, batch 128, 2
threads, the config's optimizer) with `initforge train` and with PyTorch in
the same run. Configs with blocks are read expanded (`initforge validate
--expanded`) for PyTorch and the FLOP count.

- initforge: `initforge train` on a copy of the config (batch 128, --epochs
  E, test set cut to 1000 samples: evaluation is not timed); the epoch time
  is summary.json's wall_times.epochs[].train_seconds (optimizer steps,
  batch copies included; data loading, evaluation and probes excluded),
  the mean over the run's epochs.
- PyTorch: /usr/bin/python3 (Debian's python3-torch) with
  torch.set_num_threads(2); the config's architecture (ConfigModel of
  tools/golden/make_model_golden.py) with PyTorch's default init, the same
  optimizer, the same data read with gzip + numpy and normalized alike,
  shuffled with torch.randperm; timed: indexing the batch, zero_grad,
  forward, cross_entropy, backward, step. Skipped when torch is missing.
  PyTorch's best thread setting: each run happens twice, in a process with
  OPENBLAS_NUM_THREADS=1 and in one with OMP_WAIT_POLICY=passive; the
  setting with the lower median is kept and named in the table.
- --train-subset N times only the first N training samples per epoch (both
  sides) and scales the seconds to a full 60000-sample epoch (the table
  says so): a resnet20 epoch takes minutes. Per-epoch fixed costs (first
  touches, the short last batch) are scaled too: take N of a few thousand.

FLOPs per epoch count the Linear and Conv2d layers' multiply-adds (2 FLOPs
each): forward, backward-weights, and backward-data for every layer but the
first (no gradient is needed for the input); activations, pooling, the loss
and the optimizer are left out (a few percent).

    tools/bench/train_speed.py [--build build/release] [--repeats 3]
                               [--epochs 1] [--only mlp|cnn|resnet20]
                               [--train-subset N]

Prints per config the median over repeats (initforge and PyTorch
interleaved, so a load change hits both), the ratio (target <= 0.3; 0.5
for resnet20), the issue's absolute targets (mlp and cnn only), GFLOP per
epoch and the GFLOP/s each achieved.
"""

import argparse
import copy
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA_DIR = "/usr/share/datasets/fashion-mnist"
TARGET_RATIO = {"mlp": 0.3, "cnn": 0.3, "resnet20": 0.5}  # vs PyTorch's best
TARGET_SECONDS = {"mlp": 5.2, "cnn": 16.5}  # the issue's: 0.3 x 17.2 s / 55 s
BATCH = 128
THREADS = 2
CONFIGS = ("mlp", "cnn", "resnet20")
FULL_EPOCH = 60000  # Fashion-MNIST's training samples
# PyTorch's thread settings tried (each with torch.set_num_threads(2)).
TORCH_SETTINGS = {
    "OPENBLAS_NUM_THREADS=1": {"OPENBLAS_NUM_THREADS": "1"},
    "OMP_WAIT_POLICY=passive": {"OMP_WAIT_POLICY": "passive"},
}


def config_path(name):
    return os.path.join(ROOT, "configs", name + ".json")


def load_config(name):
    with open(config_path(name)) as f:
        return json.load(f)


def expanded_config(binary, name):
    """The config as `initforge validate --expanded` prints it: blocks and
    repeats expanded, full names (a plain config is its own expansion)."""
    proc = subprocess.run([binary, "validate", "--expanded", config_path(name)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit("error: initforge validate --expanded %s failed:\n%s"
                 % (name, proc.stderr))
    return json.loads(proc.stdout)


def optimizer_of(config):
    """The config's optimizer section (the issue's SGD when it has none)."""
    train = config.get("train", {})
    return train.get("optimizer", {"type": "sgd", "lr": 0.1, "momentum": 0.9})


# --------------------------------------------------------------------- FLOPs
def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def flops_per_sample(config):
    """Forward + backward FLOPs of one sample through the Linear / Conv2d
    layers, following the per-sample shapes of a sequential-or-graph config
    (an expanded one: every layer has a type)."""
    shapes = {"input": tuple(config["input"])}
    previous, total, first = "input", 0, True
    for layer in config["layers"]:
        inputs = layer.get("inputs", [previous])
        inputs = [inputs] if isinstance(inputs, str) else inputs
        shape = shapes[inputs[0]]
        kind = layer["type"]
        macs = 0
        if kind == "Linear":
            out = shape[:-1] + (layer["out_features"],)
            rows = 1
            for d in shape[:-1]:
                rows *= d
            macs = rows * shape[-1] * layer["out_features"]
        elif kind == "Conv2d":
            k = pair(layer["kernel_size"])
            s = pair(layer.get("stride", 1))
            p = pair(layer.get("padding", 0))
            dil = pair(layer.get("dilation", 1))
            groups = layer.get("groups", 1)
            h = (shape[1] + 2 * p[0] - dil[0] * (k[0] - 1) - 1) // s[0] + 1
            w = (shape[2] + 2 * p[1] - dil[1] * (k[1] - 1) - 1) // s[1] + 1
            out = (layer["out_channels"], h, w)
            macs = layer["out_channels"] * h * w * (shape[0] // groups) * k[0] * k[1]
        elif kind in ("MaxPool2d", "AvgPool2d"):
            k = pair(layer["kernel_size"])
            s = pair(layer.get("stride", 0))
            s = k if s == (0, 0) else s  # PyTorch's stride=None
            p = pair(layer.get("padding", 0))
            out = (shape[0], (shape[1] + 2 * p[0] - k[0]) // s[0] + 1,
                   (shape[2] + 2 * p[1] - k[1]) // s[1] + 1)
        elif kind == "AdaptiveAvgPool2d":
            out = (shape[0],) + pair(layer["output_size"])
        elif kind == "Flatten":
            n = 1
            for d in shape:
                n *= d
            out = (n,)
        else:  # elementwise, BatchNorm2d, Add, Softmax: shape kept
            out = shape
        if macs:
            passes = 2 if first else 3  # forward, weights, (data)
            total += 2 * macs * passes
            first = False
        shapes[layer["name"]] = out
        previous = layer["name"]
    return total


# ----------------------------------------------------------------- initforge
def initforge_epoch_seconds(binary, name, epochs, workdir, subset):
    """Mean train_seconds per epoch of one `initforge train` run (on the
    first `subset` training samples when given) and the samples trained."""
    config = copy.deepcopy(load_config(name))
    config.pop("variants", None)
    train = config.setdefault("train", {})
    train.setdefault("optimizer", optimizer_of(config))
    train["batch_size"] = BATCH
    dataset = train.setdefault("dataset", {"name": "fashion-mnist"})
    dataset.pop("train_subset", None)
    if subset:
        dataset["train_subset"] = subset
    dataset["test_subset"] = 1000
    path = os.path.join(workdir, name + ".json")
    with open(path, "w") as f:
        json.dump(config, f)
    run_dir = os.path.join(workdir, "run_" + name)
    shutil.rmtree(run_dir, ignore_errors=True)
    env = dict(os.environ, OMP_NUM_THREADS=str(THREADS))
    proc = subprocess.run(
        [binary, "train", path, "--out", run_dir, "--epochs", str(epochs),
         "--threads", str(THREADS), "--no-plot"],
        capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit("error: initforge train %s failed:\n%s" % (name, proc.stderr))
    with open(os.path.join(run_dir, "summary.json")) as f:
        summary = json.load(f)
    times = [e["train_seconds"] for e in summary["wall_times"]["epochs"]]
    shutil.rmtree(run_dir, ignore_errors=True)
    return statistics.mean(times), summary["dataset"]["train_samples"]


# ------------------------------------------------------------------- PyTorch
def read_idx(path):
    import numpy as np
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def torch_epoch_seconds(config, epochs, subset):
    """Mean seconds of `epochs` training epochs in PyTorch (2 threads) of an
    expanded config, on the first `subset` training samples when given."""
    import importlib.util
    import numpy as np
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(THREADS)
    spec = importlib.util.spec_from_file_location(
        "make_model_golden", os.path.join(ROOT, "tools", "golden", "make_model_golden.py"))
    golden = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(golden)
    dataset = config.get("train", {}).get("dataset", {})
    mean, std = dataset.get("mean", 0.2860), dataset.get("std", 0.3530)
    images = read_idx(os.path.join(DATA_DIR, "train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(DATA_DIR, "train-labels-idx1-ubyte.gz"))
    if subset:
        images, labels = images[:subset], labels[:subset]
    x = torch.from_numpy(((images.astype(np.float32) / 255 - mean) / std)[:, None])
    y = torch.from_numpy(labels.astype(np.int64))
    torch.manual_seed(0)
    model = golden.ConfigModel(config)  # PyTorch's default init
    model.train()
    o = optimizer_of(config)
    kind = o.get("type", "sgd")
    if kind == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=o.get("lr", 0.01),
                              momentum=o.get("momentum", 0.0),
                              dampening=o.get("dampening", 0.0),
                              nesterov=o.get("nesterov", False),
                              weight_decay=o.get("weight_decay", 0.0))
    else:
        cls = torch.optim.Adam if kind == "adam" else torch.optim.AdamW
        opt = cls(model.parameters(), lr=o.get("lr", 0.001),
                  betas=tuple(o.get("betas", (0.9, 0.999))), eps=o.get("eps", 1e-8),
                  weight_decay=o.get("weight_decay", 0.0 if kind == "adam" else 0.01))
    n = x.shape[0]
    times = []
    for _ in range(epochs):
        order = torch.randperm(n)
        start = time.perf_counter()
        for i in range(0, n, BATCH):
            index = order[i:i + BATCH]
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x[index]), y[index])
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - start)
    return {"seconds": statistics.mean(times), "version": torch.__version__,
            "threads": torch.get_num_threads()}


def torch_python():
    """A python that has torch: this one, else /usr/bin/python3; or None."""
    try:
        import torch  # noqa: F401
        return sys.executable
    except ImportError:
        pass
    python = "/usr/bin/python3"
    if not os.path.exists(python) or os.path.realpath(python) == os.path.realpath(sys.executable):
        return None
    return python


def torch_run(python, config_file, epochs, subset, setting):
    """torch_epoch_seconds in a fresh process with `setting`'s environment
    (thread libraries read it when they load); None when it fails."""
    cmd = [python, os.path.abspath(__file__), "--torch-only", config_file,
           "--epochs", str(epochs)]
    if subset:
        cmd += ["--train-subset", str(subset)]
    env = dict(os.environ, OMP_NUM_THREADS=str(THREADS), **TORCH_SETTINGS[setting])
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        print("note: PyTorch timing (%s) failed: %s"
              % (setting, proc.stderr.strip().splitlines()[-1:]), file=sys.stderr)
        return None
    return json.loads(proc.stdout)


# ---------------------------------------------------------------------- main
def fmt(v, spec="{:.2f}"):
    return "-" if v is None else spec.format(v)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build", "release"),
                        help="build tree holding the initforge binary")
    parser.add_argument("--repeats", type=int, default=3, help="runs per side (median)")
    parser.add_argument("--epochs", type=int, default=1, help="epochs per run (mean)")
    parser.add_argument("--only", choices=CONFIGS, help="one config only")
    parser.add_argument("--train-subset", type=int, metavar="N",
                        help="time the first N training samples per epoch and scale "
                             "to a full %d-sample epoch" % FULL_EPOCH)
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    parser.add_argument("--torch-only", metavar="EXPANDED_CONFIG", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.train_subset is not None and not 0 < args.train_subset <= FULL_EPOCH:
        sys.exit("error: --train-subset: expected 1 to %d samples" % FULL_EPOCH)
    if args.torch_only:
        with open(args.torch_only) as f:
            config = json.load(f)
        print(json.dumps(torch_epoch_seconds(config, args.epochs, args.train_subset)))
        return 0
    binary = os.path.join(args.build, "initforge")
    if not os.access(binary, os.X_OK):
        sys.exit("error: %s not built (tools/build.sh release)" % binary)
    if not os.path.exists(os.path.join(DATA_DIR, "train-images-idx3-ubyte.gz")):
        sys.exit("error: %s: Fashion-MNIST missing; apt-get install dataset-fashion-mnist"
                 % DATA_DIR)
    python = None if args.no_torch else torch_python()
    names = [args.only] if args.only else list(CONFIGS)
    rows, notes, failed, torch_version = [], [], False, None
    workdir = tempfile.mkdtemp(prefix="initforge_train_speed_")
    try:
        for name in names:
            config = expanded_config(binary, name)
            config_file = os.path.join(workdir, name + ".expanded.json")
            with open(config_file, "w") as f:
                json.dump(config, f)
            ours, theirs, samples = [], {s: [] for s in TORCH_SETTINGS}, 0
            for _ in range(args.repeats):
                seconds, samples = initforge_epoch_seconds(
                    binary, name, args.epochs, workdir, args.train_subset)
                ours.append(seconds)
                for setting in TORCH_SETTINGS if python else ():
                    t = torch_run(python, config_file, args.epochs, args.train_subset, setting)
                    if t:
                        theirs[setting].append(t["seconds"])
                        torch_version = t["version"]
            # Seconds per full epoch: measured, or scaled from the subset.
            scale = FULL_EPOCH / samples if args.train_subset else 1.0
            epoch_samples = FULL_EPOCH if args.train_subset else samples
            a = statistics.median(ours) * scale
            medians = {s: statistics.median(v) * scale for s, v in theirs.items() if v}
            best = min(medians, key=medians.get) if medians else None
            if medians:
                notes.append("PyTorch %s: %s" % (name, ", ".join(
                    "%s %.2f s" % (k, v) for k, v in medians.items())))
            b = medians.get(best)
            gflop = flops_per_sample(config) * epoch_samples / 1e9
            ratio = a / b if b else None
            target_s = TARGET_SECONDS.get(name)
            ok = (target_s is None or a <= target_s) and (
                ratio is None or ratio <= TARGET_RATIO[name])
            failed |= not ok
            rows.append((name + ".json", fmt(a), fmt(b), best or "-", fmt(ratio, "{:.3f}"),
                         "<= %.1f" % TARGET_RATIO[name],
                         "-" if target_s is None else "%.1f s" % target_s,
                         fmt(gflop, "{:.1f}"), fmt(gflop / a, "{:.1f}"),
                         fmt(gflop / b if b else None, "{:.1f}"), "PASS" if ok else "FAIL"))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    epoch = ("epoch s, scaled from %d samples" % args.train_subset if args.train_subset
             else "epoch s")
    header = ("b%d, %d threads" % (BATCH, THREADS), "initforge " + epoch,
              "PyTorch " + epoch, "PyTorch's best setting", "ratio", "ratio target",
              "target", "GFLOP/epoch", "initforge GFLOP/s", "PyTorch GFLOP/s", "verdict")
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    line = "  ".join("{:<%d}" % w for w in widths)
    print("medians of %d runs x %d epochs; load average %.2f; PyTorch %s"
          % (args.repeats, args.epochs, os.getloadavg()[0], torch_version or "not available"))
    if args.train_subset:
        print("seconds per full %d-sample epoch, SCALED from %d timed samples per epoch"
              % (FULL_EPOCH, args.train_subset))
    print(line.format(*header))
    print(line.format(*["-" * w for w in widths]))
    for r in rows:
        print(line.format(*r))
    for note in notes:  # both thread settings, per epoch as in the table
        print(note)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
