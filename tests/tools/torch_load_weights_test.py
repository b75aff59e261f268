#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""`run --load-weights` reads a safetensors file that PyTorch wrote.

PyTorch builds configs/resnet20.json (expanded by `initforge validate
--expanded`, as tools/golden/make_model_golden.py's ConfigModel), gives its
BatchNorm running statistics random values so the buffers matter, and writes
its state_dict to a safetensors file. Debian has no Python safetensors
package, so this script writes the format itself: an 8-byte little-endian
header length, the JSON header, the raw data. The tensors cycle through F32,
F16, BF16 and F64; num_batches_tracked stays I64.

Then `initforge run --load-weights FILE --strict-load --input x.npy --output
y.npy --save-weights back.safetensors`:
- every tensor in back.safetensors equals PyTorch's value converted with
  .float() (exact for F16/BF16, nearest even for F64), bit for bit;
- the manifest says each parameter was loaded from FILE;
- y equals PyTorch's eval-mode forward of the same float32 values within
  1e-4 (relative to max |y|).
Usage: torch_load_weights_test.py --initforge BIN CONFIG
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
from safetensors_torch import read_safetensors, write_safetensors  # noqa: E402

BATCH = 2
DTYPES = [torch.float32, torch.float16, torch.bfloat16, torch.float64]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--initforge", required=True)
    parser.add_argument("config")
    args = parser.parse_args()
    with open(args.config) as f:
        config = expanded(args.config, json.load(f), args.initforge)
    torch.manual_seed(3)
    model = ConfigModel(config).eval()
    with torch.no_grad():
        for name, buf in model.named_buffers():
            if name.endswith("running_mean"):
                buf.copy_(0.1 * torch.randn_like(buf))
            elif name.endswith("running_var"):
                buf.copy_(0.5 + torch.rand_like(buf))
    state = model.state_dict()

    written, expected = {}, {}
    floats = 0
    for name, t in state.items():
        if t.dtype == torch.int64:
            written[name] = t
            continue
        stored = t.to(DTYPES[floats % len(DTYPES)])
        floats += 1
        if stored.dtype == torch.float64:   # digits float32 has to round off
            stored = stored * (1 + 1e-9)
        written[name] = stored
        expected[name] = stored.float()   # what initforge must load

    with tempfile.TemporaryDirectory(prefix="initforge_load_") as work:
        weights = os.path.join(work, "torch.safetensors")
        back = os.path.join(work, "back.safetensors")
        x_path, y_path = os.path.join(work, "x.npy"), os.path.join(work, "y.npy")
        write_safetensors(weights, written)
        x = np.random.default_rng(5).standard_normal(
            (BATCH,) + tuple(config["input"])).astype(np.float32)
        np.save(x_path, x)
        subprocess.run([args.initforge, "run", args.config, "--batch", str(BATCH),
                        "--load-weights", weights, "--strict-load",
                        "--input", x_path, "--output", y_path,
                        "--save-weights", back],
                       check=True, stdout=subprocess.DEVNULL)
        loaded, metadata = read_safetensors(back)
        y = torch.from_numpy(np.load(y_path))

    mismatched = [name for name, want in expected.items()
                  if not torch.equal(loaded[name].view(torch.int32),
                                     want.view(torch.int32))]
    if mismatched:
        raise SystemExit("not loaded bit for bit: %s" % ", ".join(mismatched))
    manifest = json.loads(metadata["initforge.manifest"])
    sources = {path: p["source"] for path, p in manifest["params"].items()}
    not_loaded = [p for p, s in sources.items()
                  if not s.startswith("loaded from " + weights)]
    if not_loaded or not sources:
        raise SystemExit("manifest does not say loaded: %s" % not_loaded)

    model.load_state_dict({k: v if v.dtype == torch.int64 else v.float()
                           for k, v in {**state, **expected}.items()})
    with torch.no_grad():
        want = model(torch.from_numpy(x))
    diff = (want - y).abs().max().item()
    scale = max(1.0, y.abs().max().item())
    counts = {}
    for t in written.values():
        dtype = str(t.dtype).replace("torch.", "")
        counts[dtype] = counts.get(dtype, 0) + 1
    print("%s: %d tensors (%s) loaded bit for bit; forward max |torch - "
          "initforge| = %.3g (max |y| %.3g)"
          % (os.path.basename(args.config), len(expected),
             ", ".join("%s %d" % kv for kv in sorted(counts.items())),
             diff, y.abs().max().item()))
    if diff > 1e-4 * scale:
        raise SystemExit("forward differs beyond 1e-4")
    if y.abs().max().item() == 0:
        raise SystemExit("all-zero outputs prove nothing")


if __name__ == "__main__":
    main()
