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
import struct
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

BATCH = 2
DTYPES = [("F32", torch.float32), ("F16", torch.float16),
          ("BF16", torch.bfloat16), ("F64", torch.float64)]
TORCH_DTYPE = {"F32": torch.float32, "F16": torch.float16,
               "BF16": torch.bfloat16, "F64": torch.float64,
               "I64": torch.int64}


def raw_bytes(t):
    """The tensor's little-endian bytes (bfloat16 through its int16 view)."""
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    return t.numpy().tobytes()


def write_safetensors(path, tensors):
    """tensors: name -> (dtype name, tensor)."""
    header, blobs, offset = {}, [], 0
    for name, (dtype, t) in tensors.items():
        data = raw_bytes(t)
        header[name] = {"dtype": dtype, "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        raw = bytearray(data[8 + n + begin:8 + n + end])
        dtype = TORCH_DTYPE[entry["dtype"]]
        tensors[name] = torch.frombuffer(raw, dtype=dtype).reshape(
            entry["shape"]) if raw else torch.zeros(entry["shape"], dtype=dtype)
    return tensors, metadata


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
            written[name] = ("I64", t)
            continue
        dtype, torch_dtype = DTYPES[floats % len(DTYPES)]
        floats += 1
        stored = t.to(torch_dtype)
        if torch_dtype == torch.float64:   # digits float32 has to round off
            stored = stored * (1 + 1e-9)
        written[name] = (dtype, stored)
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
    for dtype, _ in written.values():
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
