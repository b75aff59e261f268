#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the golden data of the torch generator: PyTorch 1.13's CPU float32
outputs after torch.manual_seed(seed), for the generator tests
(tests/rng/torch_generator_tests) and the scheme tests (tests/golden).

Run with the Debian python that has torch 1.13 (CI does not need torch):
    /usr/bin/python3 tools/golden/make_torch_golden.py [--out DIR]

Output (default tests/data/torch_golden/):
  manifest.json   every case: seed, then its steps in call order; each step
                  names its op/scheme, arguments, shape and where its expected
                  values are (file, offset, count)
  generator.npy   1-D float32, the generator-level steps back to back
  schemes.npy     1-D float32, the scheme-level steps back to back
"""
import argparse
import json
import math
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.init as init

SEEDS = [0, 1, 42, 12345, 2 ** 32 + 7]   # the last checks the low-32-bit seed
SIZES = [1, 7, 16, 17, 1000, 4096]


class Store:
    """Concatenates the expected values of one data file."""

    def __init__(self, name):
        self.name = name
        self.parts = []
        self.size = 0

    def add(self, values):
        values = np.ascontiguousarray(values, dtype=np.float32).ravel()
        ref = {"data": self.name, "offset": self.size, "count": int(values.size)}
        self.parts.append(values)
        self.size += values.size
        return ref

    def write(self, directory):
        data = np.concatenate(self.parts) if self.parts else np.zeros(0, np.float32)
        np.save(os.path.join(directory, self.name), data)
        return data.nbytes


# ---------------------------------------------------------------- generator
def gen_step(store, op, n, args):
    """Runs one torch op on the current default generator and records it."""
    if op == "uniform":
        out = torch.empty(n).uniform_(args["from"], args["to"])
    elif op == "normal":
        out = torch.empty(n).normal_(args["mean"], args["std"])
    elif op == "trunc_normal":
        out = init.trunc_normal_(torch.empty(n), args["mean"], args["std"], args["a"], args["b"])
    elif op == "randperm":
        out = torch.randperm(n).to(torch.float32)   # exact: n < 2^24
    else:
        raise ValueError(op)
    step = {"op": op, "n": n, "args": args}
    step.update(store.add(out.numpy()))
    return step


def gen_case(store, name, seed, calls):
    torch.manual_seed(seed)
    return {"name": name, "seed": seed,
            "steps": [gen_step(store, op, n, args) for op, n, args in calls]}


def generator_cases(store):
    cases = []
    for seed in SEEDS:
        for n in SIZES:
            for lo, hi in [(0.0, 1.0), (-0.3, 0.7)]:
                cases.append(gen_case(store, "uniform(%g,%g) n=%d seed=%d" % (lo, hi, n, seed),
                                      seed, [("uniform", n, {"from": lo, "to": hi})]))
            for mean, std in [(0.0, 1.0), (0.5, 0.02)]:
                cases.append(gen_case(store, "normal(%g,%g) n=%d seed=%d" % (mean, std, n, seed),
                                      seed, [("normal", n, {"mean": mean, "std": std})]))
    # Above initforge's parallel threshold (2^16): chunked fills, with a tail.
    big = 65536 + 16 * 3 + 7
    cases.append(gen_case(store, "normal(0,1) n=%d seed=3" % big, 3,
                          [("normal", big, {"mean": 0.0, "std": 1.0})]))
    cases.append(gen_case(store, "trunc_normal(0,1,-2,2) n=%d seed=3" % big, 3,
                          [("trunc_normal", big, {"mean": 0.0, "std": 1.0, "a": -2.0, "b": 2.0})]))
    for seed in SEEDS[:3]:
        for n, (mean, std, a, b) in [(1000, (0.0, 1.0, -2.0, 2.0)), (4096, (0.0, 0.02, -0.04, 0.04)),
                                     (7, (1.0, 0.5, 0.0, 3.0))]:
            cases.append(gen_case(
                store, "trunc_normal(%g,%g,%g,%g) n=%d seed=%d" % (mean, std, a, b, n, seed), seed,
                [("trunc_normal", n, {"mean": mean, "std": std, "a": a, "b": b})]))
        cases.append(gen_case(store, "randperm(30) x3 seed=%d" % seed, seed,
                              [("randperm", 30, {})] * 3))
        # The cached double normal of path B crosses calls: n=7 leaves one,
        # uniform and path A (17: tail redraw) leave it alone, n=3 starts with it.
        cases.append(gen_case(store, "stream seed=%d" % seed, seed, [
            ("normal", 7, {"mean": 0.0, "std": 1.0}),
            ("uniform", 1000, {"from": -1.0, "to": 1.0}),
            ("normal", 3, {"mean": 2.0, "std": 3.0}),
            ("normal", 17, {"mean": 0.0, "std": 1.0}),
            ("normal", 5, {"mean": 0.0, "std": 1.0}),
            ("trunc_normal", 33, {"mean": 0.0, "std": 1.0, "a": -2.0, "b": 2.0}),
            ("normal", 1, {"mean": 0.0, "std": 1.0}),
            ("randperm", 12, {}),
            ("normal", 1, {"mean": -1.0, "std": 0.5}),
            ("normal", 600, {"mean": 0.0, "std": 0.1}),
        ]))
    return cases


# ------------------------------------------------------------------ schemes
def fans(shape):
    rf = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * rf, shape[0] * rf


def apply_scheme(scheme, args, shape, fan_shape):
    t = torch.empty(shape)
    if scheme == "fan_in_uniform":       # Linear/Conv bias default
        fan_in, _ = fans(fan_shape)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        return init.uniform_(t, -bound, bound)
    return getattr(init, scheme + "_")(t, **args)


def scheme_case(store, name, seed, params):
    """params: (path, scheme, args, shape[, fan_shape]) applied in order."""
    torch.manual_seed(seed)
    steps = []
    for p in params:
        path, scheme, args, shape = p[:4]
        fan_shape = p[4] if len(p) > 4 else shape
        out = apply_scheme(scheme, args, shape, fan_shape)
        step = {"path": path, "scheme": scheme, "args": args, "shape": list(shape),
                "fan_shape": list(fan_shape)}
        step.update(store.add(out.numpy()))
        steps.append(step)
    return {"name": name, "seed": seed, "params": steps}


def module_case(store, name, seed, module, weight_path, bias_path):
    """nn.Linear / nn.Conv2d reset_parameters, recorded as the two schemes."""
    torch.manual_seed(seed)
    m = module()
    w, b = m.weight.detach(), m.bias.detach()
    return {"name": name, "seed": seed, "params": [
        dict(path=weight_path, scheme="kaiming_uniform", args={"a": math.sqrt(5)},
             shape=list(w.shape), fan_shape=list(w.shape), **store.add(w.numpy())),
        dict(path=bias_path, scheme="fan_in_uniform", args={}, shape=list(b.shape),
             fan_shape=list(w.shape), **store.add(b.numpy())),
    ]}


def scheme_cases(store):
    cases = []
    one = lambda name, seed, scheme, args, shape: cases.append(
        scheme_case(store, name, seed, [("w", scheme, args, shape)]))
    shapes = [(64, 32), (33, 17), (16, 8, 3, 3), (5, 3, 2, 2)]
    variants = [("kaiming_uniform", {}),
                ("kaiming_uniform", {"a": 0.2, "mode": "fan_out", "nonlinearity": "relu"}),
                ("kaiming_normal", {}),
                ("kaiming_normal", {"mode": "fan_out", "nonlinearity": "relu"}),
                ("xavier_uniform", {"gain": 5.0 / 3}),
                ("xavier_normal", {})]
    for seed in SEEDS[:3]:
        for shape in shapes + [(3, 4), (2, 2), (3, 5)]:      # < 16: double path
            for scheme, args in variants:
                one("%s%s %s seed=%d" % (scheme, json.dumps(args), shape, seed), seed, scheme,
                    args, shape)
        for shape in [(3, 5), (5, 3), (64, 64), (20, 2, 3, 4)]:
            one("orthogonal(gain=1.5) %s seed=%d" % (shape, seed), seed, "orthogonal",
                {"gain": 1.5}, shape)
        one("sparse(0.3) (30,12) seed=%d" % seed, seed, "sparse", {"sparsity": 0.3}, (30, 12))
        one("uniform(-.3,.7) (33,17) seed=%d" % seed, seed, "uniform", {"a": -0.3, "b": 0.7},
            (33, 17))
        one("normal(.5,.02) (33,17) seed=%d" % seed, seed, "normal", {"mean": 0.5, "std": 0.02},
            (33, 17))
        one("trunc_normal() (40,25) seed=%d" % seed, seed, "trunc_normal", {}, (40, 25))
        one("trunc_normal(0,.02,-.04,.04) (64,64) seed=%d" % seed, seed, "trunc_normal",
            {"mean": 0.0, "std": 0.02, "a": -0.04, "b": 0.04}, (64, 64))
        cases.append(module_case(store, "nn.Linear(300,70) seed=%d" % seed, seed,
                                 lambda: nn.Linear(300, 70), "fc.weight", "fc.bias"))
        cases.append(module_case(store, "nn.Conv2d(16,32,3) seed=%d" % seed, seed,
                                 lambda: nn.Conv2d(16, 32, 3), "conv.weight", "conv.bias"))
        # One stream through a small model: (3,5) leaves a cached normal that
        # the next small normal returns first.
        cases.append(scheme_case(store, "model stream seed=%d" % seed, seed, [
            ("a.weight", "xavier_normal", {}, (3, 5)),
            ("b.weight", "kaiming_uniform", {}, (8, 4, 3, 3)),
            ("b.bias", "fan_in_uniform", {}, (8,), (8, 4, 3, 3)),
            ("c.weight", "normal", {}, (2, 3)),
            ("d.weight", "trunc_normal", {"std": 0.5}, (17, 3)),
            ("e.weight", "sparse", {"sparsity": 0.5, "std": 0.1}, (6, 4)),
            ("f.weight", "kaiming_normal", {"a": 0.1}, (1, 7)),
            ("g.weight", "orthogonal", {}, (4, 6)),
            ("h.weight", "uniform", {}, (1,)),
        ]))
    for seed in SEEDS[:1]:       # deterministic schemes: one seed is enough
        one("constant(0.37) (3,5)", seed, "constant", {"val": 0.37}, (3, 5))
        one("ones (2,3,4)", seed, "ones", {}, (2, 3, 4))
        one("zeros (4,3)", seed, "zeros", {}, (4, 3))
        one("eye (3,5)", seed, "eye", {}, (3, 5))
        one("eye (4,4)", seed, "eye", {}, (4, 4))
        for shape, groups in [((4, 2, 3), 1), ((6, 3, 3, 3), 2), ((4, 5, 3, 3, 3), 1),
                              ((8, 2, 3, 3), 2)]:
            one("dirac(groups=%d) %s" % (groups, shape), seed, "dirac", {"groups": groups},
                shape)
    return cases


def manifest_text(manifest):
    """JSON with one case per line: compact, and diffs stay readable."""
    lines = ["{"]
    for key, value in manifest.items():
        if isinstance(value, list):
            lines.append(" %s: [" % json.dumps(key))
            lines.append(",\n".join("  " + json.dumps(v, separators=(",", ":")) for v in value))
            lines.append(" ],")
        else:
            lines.append(" %s: %s," % (json.dumps(key), json.dumps(value)))
    lines[-1] = lines[-1].rstrip(",")
    return "\n".join(lines) + "\n}\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser.add_argument("--out", default=os.path.join(root, "tests", "data", "torch_golden"))
    out = parser.parse_args().out
    if not torch.__version__.startswith("1.13"):
        sys.exit("error: needs torch 1.13 (found %s)" % torch.__version__)
    capability = torch.__config__.show().split("CPU capability usage: ")[1].split()[0]
    if capability not in ("AVX2", "AVX512"):
        sys.exit("error: needs PyTorch's AVX2 kernels (found %s)" % capability)
    warnings.filterwarnings("ignore")
    torch.set_num_threads(1)
    os.makedirs(out, exist_ok=True)
    gen, sch = Store("generator.npy"), Store("schemes.npy")
    manifest = {
        "torch_version": torch.__version__,
        "cpu_capability": capability,
        "made_by": "tools/golden/make_torch_golden.py",
        "generator_cases": generator_cases(gen),
        "scheme_cases": scheme_cases(sch),
    }
    size = gen.write(out) + sch.write(out)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        f.write(manifest_text(manifest))
    print("%s: %d generator cases, %d scheme cases, %.1f kB of data" % (
        out, len(manifest["generator_cases"]), len(manifest["scheme_cases"]), size / 1024))


if __name__ == "__main__":
    main()
