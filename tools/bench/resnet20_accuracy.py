#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Test accuracy of configs/resnet20.json trained by initforge and by PyTorch.

Both sides train the config's setup for its epochs (5) and print the test
accuracy after each epoch and at the end:

- initforge: `initforge train configs/resnet20.json` (2 threads); the
  accuracies are summary.json's metrics[].test_acc.
- PyTorch 1.13 (/usr/bin/python3 when this python has no torch, 2
  threads): the expanded config (`initforge validate --expanded`) as
  ConfigModel of tools/golden/make_model_golden.py, initialized as the
  config says after torch.manual_seed(seed) (its init_rules: kaiming_normal
  fan_out for every Conv2d weight; PyTorch's defaults elsewhere, so
  BatchNorm2d weight 1 and bias 0, Linear's kaiming_uniform(a=√5)); SGD with
  the config's lr 0.1, momentum 0.9 and weight decay 5e-4 on every
  parameter; CosineAnnealingLR over the epochs, stepped once per epoch (the
  rate set at the start of each, as initforge does); batch 128 in a new
  order each epoch (torch.randperm), the last batch shorter; cross-entropy;
  Fashion-MNIST read with gzip + numpy and normalized as initforge does,
  (x / 255 - 0.2860) / 0.3530; evaluated in eval mode (running statistics).

The two runs draw different random numbers (init, order), so their
accuracies agree only up to run-to-run noise, not digit for digit.

    tools/bench/resnet20_accuracy.py [--build build/release] [--epochs E]
                                     [--train-subset N] [--test-subset N]

--train-subset / --test-subset use the first N samples on both sides (a
quick check that everything runs; the accuracies then mean little).
"""

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIG = os.path.join(ROOT, "configs", "resnet20.json")
THREADS = 2


# ----------------------------------------------------------------- initforge
def initforge_accuracies(binary, epochs, train_subset, test_subset):
    """Test accuracy after each epoch of `initforge train`."""
    workdir = tempfile.mkdtemp(prefix="initforge_resnet20_")
    try:
        run_dir = os.path.join(workdir, "run")
        cmd = [binary, "train", CONFIG, "--out", run_dir, "--threads", str(THREADS),
               "--no-plot"]
        if epochs:
            cmd += ["--epochs", str(epochs)]
        if train_subset:
            cmd += ["--train-subset", str(train_subset)]
        if test_subset:
            cmd += ["--test-subset", str(test_subset)]
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True,
                              env=dict(os.environ, OMP_NUM_THREADS=str(THREADS)))
        if proc.returncode != 0:
            sys.exit("error: %s failed:\n%s" % (" ".join(cmd), proc.stderr))
        with open(os.path.join(run_dir, "summary.json")) as f:
            summary = json.load(f)
        return {"test_acc": [m["test_acc"] for m in summary["metrics"]],
                "train_samples": summary["dataset"]["train_samples"],
                "test_samples": summary["dataset"]["test_samples"],
                "seconds": time.perf_counter() - start}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# ------------------------------------------------------------------- PyTorch
def read_idx(path):
    import numpy as np
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def torch_accuracies(config, epochs, train_subset, test_subset):
    """Test accuracy after each epoch of the same training in PyTorch."""
    import importlib.util
    import numpy as np
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(THREADS)
    spec = importlib.util.spec_from_file_location(
        "make_model_golden", os.path.join(ROOT, "tools", "golden", "make_model_golden.py"))
    golden = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(golden)
    train = config["train"]
    dataset = train.get("dataset", {})
    data_dir = dataset.get("dir", "/usr/share/datasets/fashion-mnist")
    mean, std = dataset.get("mean", 0.2860), dataset.get("std", 0.3530)
    batch = train.get("batch_size", 128)
    epochs = epochs or train["epochs"]

    def load(prefix, subset):
        images = read_idx(os.path.join(data_dir, prefix + "-images-idx3-ubyte.gz"))
        labels = read_idx(os.path.join(data_dir, prefix + "-labels-idx1-ubyte.gz"))
        if subset:
            images, labels = images[:subset], labels[:subset]
        x = torch.from_numpy(((images.astype(np.float32) / 255 - mean) / std)[:, None])
        return x, torch.from_numpy(labels.astype(np.int64))

    x, y = load("train", train_subset)
    x_test, y_test = load("t10k", test_subset)
    # Built, then every parameter initialized as initforge resolves it
    # (init_rules, else the layer type's PyTorch default), in config order.
    torch.manual_seed(config.get("seed", 0))
    model = golden.ConfigModel(config)
    golden.reinitialize(model, config)
    o = train["optimizer"]
    if o.get("type", "sgd") != "sgd":
        sys.exit("error: this script replicates SGD only; the config has %s" % o["type"])
    opt = torch.optim.SGD(model.parameters(), lr=o["lr"], momentum=o.get("momentum", 0.0),
                          dampening=o.get("dampening", 0.0),
                          nesterov=o.get("nesterov", False),
                          weight_decay=o.get("weight_decay", 0.0))
    schedule = train.get("lr_schedule", {"type": "constant"})
    if schedule.get("type") != "cosine":
        sys.exit("error: this script replicates the cosine schedule only")
    lr_schedule = torch.optim.lr_scheduler.CosineAnnealingLR(
        opt, T_max=schedule.get("t_max", epochs), eta_min=schedule.get("eta_min", 0.0))
    accuracies = []
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        order = torch.randperm(x.shape[0])
        for i in range(0, x.shape[0], batch):
            index = order[i:i + batch]
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(model(x[index]), y[index]).backward()
            opt.step()
        lr_schedule.step()
        model.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, x_test.shape[0], 1000):
                predicted = model(x_test[i:i + 1000]).argmax(dim=1)
                correct += int((predicted == y_test[i:i + 1000]).sum())
        accuracies.append(correct / x_test.shape[0])
    return {"test_acc": accuracies, "train_samples": int(x.shape[0]),
            "test_samples": int(x_test.shape[0]), "seconds": time.perf_counter() - start,
            "version": torch.__version__}


def torch_any_python(config_file, epochs, train_subset, test_subset):
    """torch_accuracies in a python that has torch; None without one."""
    try:
        import torch  # noqa: F401
        python = sys.executable
    except ImportError:
        python = "/usr/bin/python3"
        if not os.path.exists(python) or os.path.realpath(python) == os.path.realpath(
                sys.executable):
            return None
    cmd = [python, os.path.abspath(__file__), "--torch-only", config_file]
    for flag, value in (("--epochs", epochs), ("--train-subset", train_subset),
                        ("--test-subset", test_subset)):
        if value:
            cmd += [flag, str(value)]
    proc = subprocess.run(cmd, capture_output=True, text=True,
                          env=dict(os.environ, OMP_NUM_THREADS=str(THREADS)))
    if proc.returncode != 0:
        sys.exit("error: the PyTorch run failed:\n%s" % proc.stderr)
    return json.loads(proc.stdout)


# ---------------------------------------------------------------------- main
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build", "release"),
                        help="build tree holding the initforge binary")
    parser.add_argument("--epochs", type=int, help="override the config's epochs (5)")
    parser.add_argument("--train-subset", type=int, metavar="N",
                        help="train on the first N training samples only (both sides)")
    parser.add_argument("--test-subset", type=int, metavar="N",
                        help="evaluate on the first N test samples only (both sides)")
    parser.add_argument("--torch-only", metavar="EXPANDED_CONFIG", help=argparse.SUPPRESS)
    args = parser.parse_args()
    for name in ("epochs", "train_subset", "test_subset"):
        value = getattr(args, name)
        if value is not None and value < 1:
            sys.exit("error: --%s: expected a positive integer" % name.replace("_", "-"))
    if args.torch_only:
        with open(args.torch_only) as f:
            config = json.load(f)
        print(json.dumps(torch_accuracies(config, args.epochs, args.train_subset,
                                          args.test_subset)))
        return 0
    binary = os.path.join(args.build, "initforge")
    if not os.access(binary, os.X_OK):
        sys.exit("error: %s not built (tools/build.sh release)" % binary)
    proc = subprocess.run([binary, "validate", "--expanded", CONFIG],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit("error: initforge validate --expanded failed:\n%s" % proc.stderr)
    workdir = tempfile.mkdtemp(prefix="initforge_resnet20_torch_")
    try:
        config_file = os.path.join(workdir, "resnet20.expanded.json")
        with open(config_file, "w") as f:
            f.write(proc.stdout)
        ours = initforge_accuracies(binary, args.epochs, args.train_subset, args.test_subset)
        theirs = torch_any_python(config_file, args.epochs, args.train_subset,
                                  args.test_subset)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("configs/resnet20.json, %d training / %d test samples%s; load average %.2f"
          % (ours["train_samples"], ours["test_samples"],
             " (SUBSETS: accuracies not comparable to a full run)"
             if args.train_subset or args.test_subset else "", os.getloadavg()[0]))
    rows = [("initforge", ours)]
    if theirs:
        rows.append(("PyTorch " + theirs["version"], theirs))
    else:
        print("note: no python with torch; PyTorch not run", file=sys.stderr)
    for label, r in rows:
        per_epoch = " ".join("%.4f" % a for a in r["test_acc"])
        print("%-18s test accuracy %.4f  (per epoch: %s; %.0f s)"
              % (label, r["test_acc"][-1], per_epoch, r["seconds"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
