#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""README: `--save-weights` safetensors "loads into the PyTorch module's
state_dict". For each config: `initforge run CONFIG --input x.npy --output
y.npy --save-weights w.safetensors`; then PyTorch (the config's architecture,
tools/golden/make_model_golden.py's ConfigModel) loads w.safetensors with
load_state_dict(strict=True), read with json + torch.frombuffer (torch 1.13
has no safetensors package), and its forward on x must equal y within the
float32 rounding bound below.
Usage: torch_state_dict_test.py --initforge BIN CONFIG...
Exit 77 (CTest SKIP_RETURN_CODE) when torch or numpy is missing."""
import argparse
import json
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import torch
except ImportError as e:
    print("SKIP: PyTorch and NumPy are needed (Debian python3-torch "
          "python3-numpy, tools/install_deps.sh --test): %s" % e)
    sys.exit(77)

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "tools", "golden"))
from make_model_golden import ConfigModel, expanded  # noqa: E402
sys.path.insert(0, os.path.dirname(__file__))
from safetensors_torch import read_safetensors  # noqa: E402

BATCH = 3
U = 2.0 ** -24   # float32 unit roundoff
# Layers whose rounding the tolerance below accounts for. AlphaDropout is
# the identity in eval mode; SELU's slope exceeds 1 (up to 1.76 just below
# 0), but its lecun_normal nets keep unit variance, so gain ~1 layer to layer.
SUPPORTED = {"Linear", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "SELU",
             "AlphaDropout"}


def longest_sum(config):
    """The longest dot product of the net (fan-in + 1 for the bias)."""
    model = ConfigModel(config)
    return max(p[0].numel() + 1 for name, p in model.named_parameters()
               if name.endswith("weight"))


def largest_sum_output(config, state, x):
    """max |output| over every Linear/Conv2d, in float64."""
    model = ConfigModel(config).double().eval()
    model.load_state_dict({k: v.double() for k, v in state.items()})
    largest = [0.0]

    def hook(module, inputs, output):
        largest[0] = max(largest[0], output.abs().max().item())

    for module in model.modules():
        if isinstance(module, (torch.nn.Linear, torch.nn.Conv2d)):
            module.register_forward_hook(hook)
    model(torch.from_numpy(x).double())
    return largest[0]


def check(initforge, config_path, work):
    with open(config_path) as f:   # repeats as `validate --expanded` names them
        config = expanded(config_path, json.load(f), initforge)
    name = os.path.basename(config_path)
    kinds = {layer["type"] for layer in config["layers"]}
    if not kinds <= SUPPORTED:
        raise SystemExit("%s: layer types %s are outside this test's bound"
                         % (name, sorted(kinds - SUPPORTED)))
    x = np.random.default_rng(7).standard_normal(
        (BATCH,) + tuple(config["input"])).astype(np.float32)
    paths = {k: os.path.join(work, name + "." + k)
             for k in ("x.npy", "y.npy", "w.safetensors")}
    np.save(paths["x.npy"], x)
    subprocess.run([initforge, "run", config_path, "--batch", str(BATCH),
                    "--input", paths["x.npy"], "--output", paths["y.npy"],
                    "--save-weights", paths["w.safetensors"]],
                   check=True, stdout=subprocess.DEVNULL)
    y = torch.from_numpy(np.load(paths["y.npy"])).double()

    state, metadata = read_safetensors(paths["w.safetensors"])
    for key, t in state.items():
        if t.dtype not in (torch.float32, torch.int64):
            raise SystemExit("%s: %s has dtype %s; expected float32"
                             % (name, key, t.dtype))
    model = ConfigModel(config).eval()
    model.load_state_dict(state, strict=True)   # raises on any key mismatch
    with torch.no_grad():
        got = model(torch.from_numpy(x)).double()
        largest = largest_sum_output(config, state, x)
    # Rounding as a random walk: a float32 dot product of length K is off by
    # about sqrt(K) u of its terms' scale (4 sds here); each Linear/Conv adds
    # its own and passes the earlier ones on at gain <= 1 (the variance
    # preserving or shrinking inits of the configs); two sides. A wrong
    # tensor, layout or order moves the outputs by their own size.
    k = longest_sum(config)
    layers = sum(1 for layer in config["layers"]
                 if layer["type"] in ("Linear", "Conv2d"))
    tolerance = 2 * layers * 4 * k ** 0.5 * U * largest
    if got.shape != y.shape:
        raise SystemExit("%s: PyTorch output %s, initforge %s"
                         % (name, tuple(got.shape), tuple(y.shape)))
    excess = (got - y).abs().max().item() / tolerance
    print("%s: %d tensors loaded strictly (%s); max |torch - initforge| = "
          "%.3g, %.3g of the float32 bound"
          % (name, len(state), ", ".join(sorted(metadata)),
             (got - y).abs().max().item(), excess))
    if excess > 1:
        raise SystemExit("%s: outputs differ beyond the float32 bound" % name)
    if y.abs().max().item() == 0:
        raise SystemExit("%s: all-zero outputs prove nothing" % name)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--initforge", required=True)
    parser.add_argument("configs", nargs="+")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="initforge_torch_sd_") as work:
        for config in args.configs:
            check(args.initforge, config, work)


if __name__ == "__main__":
    main()
