#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""configs/resnet18_torchvision.json is torchvision's resnet18: initforge's
`--save-weights` file loads into torchvision.models.resnet18(num_classes=10)
with load_state_dict(strict=True) (same names, shapes and buffers), and the
eval-mode forward of both on the same batch agrees within 1e-4.
Usage: torchvision_resnet_test.py --initforge BIN CONFIG
Exit 77 (CTest SKIP_RETURN_CODE) when torch, torchvision or numpy is missing."""
import argparse
import json
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import torch
    import torchvision
except ImportError as e:
    print("SKIP: PyTorch, torchvision and NumPy are needed (Debian "
          "python3-torch python3-torchvision python3-numpy, "
          "tools/install_deps.sh --test): %s" % e)
    sys.exit(77)

sys.path.insert(0, os.path.dirname(__file__))
from safetensors_torch import read_safetensors  # noqa: E402

BATCH = 2
TOLERANCE = 1e-4


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--initforge", required=True)
    parser.add_argument("config")
    args = parser.parse_args()
    with open(args.config) as f:
        config = json.load(f)
    torch.set_num_threads(2)
    with tempfile.TemporaryDirectory(prefix="initforge_tv_") as work:
        x = np.random.default_rng(11).standard_normal(
            (BATCH,) + tuple(config["input"])).astype(np.float32)
        paths = {k: os.path.join(work, k)
                 for k in ("x.npy", "y.npy", "w.safetensors")}
        np.save(paths["x.npy"], x)
        subprocess.run([args.initforge, "run", args.config, "--batch",
                        str(BATCH), "--input", paths["x.npy"], "--output",
                        paths["y.npy"], "--save-weights",
                        paths["w.safetensors"]],
                       check=True, stdout=subprocess.DEVNULL)
        y = torch.from_numpy(np.load(paths["y.npy"]))
        state, _ = read_safetensors(paths["w.safetensors"])
    model = torchvision.models.resnet18(num_classes=10).eval()
    expected = model.state_dict()
    for name, tensor in expected.items():
        if name in state and state[name].shape != tensor.shape:
            raise SystemExit("%s: initforge %s, torchvision %s" % (
                name, tuple(state[name].shape), tuple(tensor.shape)))
    model.load_state_dict(state, strict=True)  # raises on any key mismatch
    with torch.no_grad():
        got = model(torch.from_numpy(x))
    diff = (got - y).abs().max().item()
    print("resnet18: %d tensors loaded strictly; output %s, max |y| %.3g, "
          "max |torchvision - initforge| = %.3g (tolerance %g)"
          % (len(state), tuple(got.shape), y.abs().max().item(), diff,
             TOLERANCE))
    if got.shape != y.shape or not diff <= TOLERANCE:
        raise SystemExit("outputs differ")
    if y.abs().max().item() == 0:
        raise SystemExit("all-zero outputs prove nothing")


if __name__ == "__main__":
    main()
