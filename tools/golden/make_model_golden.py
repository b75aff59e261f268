#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the whole-model golden data of torch mode: for each example config,
the parameters PyTorch 1.13 gives the same architecture after
torch.manual_seed(seed) and the same init calls in the same order, and its
forward output (eval mode) on a fixed input batch. tests/golden's
model_golden_tests compares `initforge run CONFIG --rng torch` against it.

Run with the Debian python that has torch 1.13 (CI does not need torch):
    /usr/bin/python3 tools/golden/make_model_golden.py [--configs DIR...] [--only STEM...] [--out DIR]

Output: one directory per case under tests/data/model_golden/ (or --out):
<config>_seed<S> for the config's own seed and ALT_SEED (passed as --seed),
and <config>_defaults_seed<S> for DEFAULTS_VARIANTS, the config stripped of
its inits (saved there as config.json), so the layer defaults run end to end.
  manifest.json  config path from the repository root, seed, batch, the
                 thread count to run with (2 for ALT_SEED, else 1); per
                 tensor (state_dict order) its name, shape, kind
                 (parameter/buffer), scheme, sha256 of the float32
                 little-endian bytes, and where its values are in values.npy:
                 all of them (while the case's BUDGET of elements lasts) or
                 the first and last EDGE values
  values.npy     1-D float32, the stored values back to back
  input.npy      the input batch, [BATCH, *input]
  output.npy     the forward output in eval mode
  config.json    (defaults variants only) the config the test runs

Replica of initforge's torch mode: the modules are built (their own
reset_parameters consumes the stream), then torch.manual_seed(seed) again and
every parameter is filled once, in config order, weight before bias, with the
scheme initforge picks (layer init > first matching init_rule > the layer
type's PyTorch default). With no explicit inits this is exactly what
`torch.manual_seed(seed); Model()` gives, which the script checks.
"""
import argparse
import copy
import glob
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.init as init

BATCH = 3            # odd on purpose
INPUT_SEED = 20240   # numpy seed of the input batch (independent of torch)
BUDGET = 32 * 1024   # elements per case stored whole (in state_dict order)
EDGE = 64            # otherwise: sha256 plus the first and last EDGE values
ALT_SEED = 12345     # every config runs with its own seed and this one
# Also run stripped of init/init_rules: the layer defaults end to end.
DEFAULTS_VARIANTS = ("resnet_block.json",)


class Skip(Exception):
    """A config this script cannot express in PyTorch."""


def pair(value, name):
    if isinstance(value, int):
        return (value, value)
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return tuple(value)
    raise Skip("%s: expected an int or [h, w]; got %r" % (name, value))


# ------------------------------------------------------------------ modules
HYPER = {  # accepted hyper-parameter keys per type (everything else: Skip)
    "Linear": {"out_features", "bias"},
    "Conv2d": {"out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias"},
    "ReLU": set(), "Tanh": set(), "Sigmoid": set(), "Add": set(),
    "LeakyReLU": {"negative_slope"},
    "GELU": {"approximate"},
    "MaxPool2d": {"kernel_size", "stride", "padding"},
    "AvgPool2d": {"kernel_size", "stride", "padding", "count_include_pad"},
    "BatchNorm2d": {"eps", "momentum"},
    "BatchNorm1d": {"eps", "momentum"},
    "LayerNorm": {"normalized_shape", "eps", "elementwise_affine"},
    "GroupNorm": {"num_groups", "eps", "affine"},
    "Flatten": {"start_dim", "end_dim"},
    "Softmax": {"dim"},
    "ELU": {"alpha"},
    "SELU": set(), "SiLU": set(), "Mish": set(), "Hardswish": set(),
    "Identity": set(), "ScalarMultiplier": set(), "ScalarBias": set(),
    "Conv1d": {"out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias"},
    "ConvTranspose2d": {"out_channels", "kernel_size", "stride", "padding", "output_padding",
                        "groups", "bias", "dilation"},
    "AdaptiveAvgPool2d": {"output_size"},
    "Concat": {"dim"},
    "Dropout": {"p"}, "AlphaDropout": {"p"},
}
STRUCTURE = {"name", "type", "inputs", "init", "roles"}


class ScalarMultiplier(nn.Module):
    """initforge's ScalarMultiplier: x * weight, one learnable scalar."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(1))

    def forward(self, x):
        return x * self.weight


class ScalarBias(nn.Module):
    """initforge's ScalarBias: x + bias, one learnable scalar."""

    def __init__(self):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return x + self.bias


class Concat(nn.Module):
    """initforge's Concat: torch.cat of the inputs along dim of the batch."""

    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, *xs):
        return torch.cat(xs, self.dim)


def make_module(layer, in_shapes):
    """The torch module of one config layer; in_shapes are per sample."""
    kind = layer["type"]
    if kind not in HYPER:
        raise Skip("layer %r: type %r has no PyTorch replica here" % (layer.get("name"), kind))
    extra = set(layer) - STRUCTURE - HYPER[kind]
    if extra:
        raise Skip("layer %r: unknown keys %s" % (layer["name"], sorted(extra)))
    h = {k: v for k, v in layer.items() if k in HYPER[kind]}
    shape = in_shapes[0]
    if kind == "Linear":
        return nn.Linear(shape[-1], h["out_features"], bias=h.get("bias", True))
    if kind == "Conv2d":
        return nn.Conv2d(shape[0], h["out_channels"], pair(h["kernel_size"], "kernel_size"),
                         stride=pair(h.get("stride", 1), "stride"),
                         padding=pair(h.get("padding", 0), "padding"),
                         dilation=pair(h.get("dilation", 1), "dilation"),
                         groups=h.get("groups", 1), bias=h.get("bias", True))
    if kind == "ReLU":
        return nn.ReLU()
    if kind == "LeakyReLU":
        return nn.LeakyReLU(h.get("negative_slope", 0.01))
    if kind == "Tanh":
        return nn.Tanh()
    if kind == "Sigmoid":
        return nn.Sigmoid()
    if kind == "GELU":
        return nn.GELU(approximate=h.get("approximate", "none"))
    if kind in ("MaxPool2d", "AvgPool2d"):
        k = pair(h["kernel_size"], "kernel_size")
        s = pair(h["stride"], "stride") if "stride" in h else k
        p = pair(h.get("padding", 0), "padding")
        if kind == "MaxPool2d":
            return nn.MaxPool2d(k, s, p)
        return nn.AvgPool2d(k, s, p, count_include_pad=h.get("count_include_pad", True))
    if kind == "BatchNorm2d":
        return nn.BatchNorm2d(shape[0], eps=h.get("eps", 1e-5), momentum=h.get("momentum", 0.1))
    if kind == "BatchNorm1d":
        return nn.BatchNorm1d(shape[0], eps=h.get("eps", 1e-5), momentum=h.get("momentum", 0.1))
    if kind == "LayerNorm":   # an int or a list, as nn.LayerNorm takes it
        return nn.LayerNorm(h["normalized_shape"], eps=h.get("eps", 1e-5),
                            elementwise_affine=h.get("elementwise_affine", True))
    if kind == "GroupNorm":
        return nn.GroupNorm(h["num_groups"], shape[0], eps=h.get("eps", 1e-5),
                            affine=h.get("affine", True))
    if kind == "Flatten":
        return nn.Flatten(h.get("start_dim", 1), h.get("end_dim", -1))
    if kind == "Softmax":
        return nn.Softmax(dim=h.get("dim", 1))
    if kind == "Dropout":   # the identity in eval mode; no init, no stream
        return nn.Dropout(h.get("p", 0.5))
    if kind == "AlphaDropout":
        return nn.AlphaDropout(h.get("p", 0.5))
    if kind == "Add":
        return None
    if kind == "ELU":
        return nn.ELU(h.get("alpha", 1.0))
    simple = {"SELU": nn.SELU, "SiLU": nn.SiLU, "Mish": nn.Mish, "Hardswish": nn.Hardswish,
              "Identity": nn.Identity, "ScalarMultiplier": ScalarMultiplier,
              "ScalarBias": ScalarBias}
    if kind in simple:
        return simple[kind]()
    if kind == "Conv1d":
        if not isinstance(h["kernel_size"], int):
            raise Skip("Conv1d kernel_size: expected an int")
        return nn.Conv1d(shape[0], h["out_channels"], h["kernel_size"],
                         stride=h.get("stride", 1), padding=h.get("padding", 0),
                         dilation=h.get("dilation", 1), groups=h.get("groups", 1),
                         bias=h.get("bias", True))
    if kind == "ConvTranspose2d":
        return nn.ConvTranspose2d(shape[0], h["out_channels"], pair(h["kernel_size"], "kernel_size"),
                                  stride=pair(h.get("stride", 1), "stride"),
                                  padding=pair(h.get("padding", 0), "padding"),
                                  output_padding=pair(h.get("output_padding", 0), "output_padding"),
                                  groups=h.get("groups", 1), bias=h.get("bias", True),
                                  dilation=pair(h.get("dilation", 1), "dilation"))
    if kind == "AdaptiveAvgPool2d":
        return nn.AdaptiveAvgPool2d(pair(h["output_size"], "output_size"))
    if kind == "Concat":
        return Concat(h.get("dim", 1))
    raise Skip("unreachable: %s" % kind)


class ConfigModel(nn.Module):
    """The config's graph: modules registered under the layer names, so the
    state_dict keys are initforge's parameter paths. A dotted name
    ("layer1.0.conv1") nests in plain containers, as torchvision's would; a
    config with "blocks" must be expanded first (`initforge validate
    --expanded`)."""

    def __init__(self, config):
        super().__init__()
        self.order = []   # (name, type, input names)
        shapes = {"input": tuple(config["input"])}
        previous = "input"
        for i, layer in enumerate(config["layers"]):
            name = layer["name"]
            inputs = layer.get("inputs", [previous])
            if isinstance(inputs, str):
                inputs = [inputs]
            module = make_module(layer, [shapes[n] for n in inputs])
            if module is not None:
                module.eval()   # the probe below must not update BatchNorm stats
                self._container(name).add_module(name.rsplit(".", 1)[-1], module)
            self.order.append((name, layer["type"], inputs))
            with torch.no_grad():   # per-sample output shape, from a probe
                probe = self._run_layer(name, layer["type"],
                                        [torch.zeros((2,) + shapes[n]) for n in inputs])
            shapes[name] = tuple(probe.shape[1:])
            previous = name

    def _container(self, name):
        """The module that holds `name`'s last part, made on first use."""
        parent = self
        for part in name.split(".")[:-1]:
            if not hasattr(parent, part):
                parent.add_module(part, nn.Module())
            parent = getattr(parent, part)
        return parent

    def _run_layer(self, name, kind, xs):
        if kind == "Add":
            out = xs[0]
            for x in xs[1:]:
                out = out + x
            return out
        if kind == "Concat":
            return self.get_submodule(name)(*xs)
        return self.get_submodule(name)(xs[0])

    def forward(self, x):
        values = {"input": x}
        for name, kind, inputs in self.order:
            values[name] = self._run_layer(name, kind, [values[n] for n in inputs])
        return values[self.order[-1][0]]


# ------------------------------------------------------------------- inits
def glob_match(pattern, text):
    """initforge's glob_match: '*' any run (dots included), '?' one char."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.S) is not None


def split_spec(spec, where):
    if not isinstance(spec, dict) or "scheme" not in spec:
        raise Skip("%s: expected {\"scheme\": NAME, ...}" % where)
    return spec["scheme"], {k: v for k, v in spec.items() if k != "scheme"}


def rule_parts(rule, i):
    """(pattern, spec) of init_rules[i]; accepts {"pattern", "init": {...}}
    and {"pattern", "scheme", ARG...}."""
    pattern = rule.get("pattern", rule.get("match"))
    if pattern is None:
        raise Skip("/init_rules/%d: no pattern" % i)
    if "init" in rule:
        return pattern, rule["init"]
    return pattern, {k: v for k, v in rule.items() if k not in ("pattern", "match")}


def choose(config, layer, param):
    """(scheme, args, chosen-by) as initforge resolves them."""
    path = "%s.%s" % (layer["name"], param)
    own = layer.get("init", {})
    if param in own:
        return split_spec(own[param], path) + ("init",)
    for i, rule in enumerate(config.get("init_rules", [])):
        pattern, spec = rule_parts(rule, i)
        names = [path, "%s.%s" % (layer["type"], param)]
        names += ["@%s.%s" % (role, param) for role in layer.get("roles", [])]
        if any(glob_match(pattern, n) for n in names):
            return split_spec(spec, "/init_rules/%d" % i) + ("rule %d" % i,)
    return None, {}, "default"


def fan_in_of(weight):
    fan_in, _ = init._calculate_fan_in_and_fan_out(weight)
    return fan_in


def default_init(kind, param, tensor, weight):
    if kind in ("Conv1d", "ConvTranspose2d"):   # _ConvNd.reset_parameters, as Conv2d
        return default_init("Conv2d", param, tensor, weight)
    if kind in ("Linear", "Conv2d"):
        if param == "weight":
            return init.kaiming_uniform_(tensor, a=math.sqrt(5))
        fan_in = fan_in_of(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        return init.uniform_(tensor, -bound, bound)
    if kind in ("BatchNorm2d", "BatchNorm1d", "LayerNorm", "GroupNorm"):
        return init.ones_(tensor) if param == "weight" else init.zeros_(tensor)
    if kind == "ScalarMultiplier":
        return init.ones_(tensor)
    if kind == "ScalarBias":
        return init.zeros_(tensor)
    raise Skip("no default init for %s.%s" % (kind, param))


TORCH_SCHEMES = {"uniform", "normal", "trunc_normal", "constant", "ones", "zeros", "eye",
                 "dirac", "xavier_uniform", "xavier_normal", "kaiming_uniform",
                 "kaiming_normal", "orthogonal", "sparse"}


# Keras's LecunNormal as plugins/variance_scaling computes it: N(0, s^2) cut
# at +-2s, s = sqrt(1/max(1, fan_in)) / (std of N(0, 1) cut at +-2).
KERAS_TRUNCATED_STD = 0.87962566103423978


def apply_scheme(scheme, args, tensor, weight):
    if scheme == "fan_in_uniform":   # PyTorch's Linear/Conv bias default
        fan_in = fan_in_of(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        return init.uniform_(tensor, -bound, bound)
    if scheme == "lecun_normal":
        s = math.sqrt(1.0 / max(1.0, fan_in_of(tensor))) / KERAS_TRUNCATED_STD
        return init.trunc_normal_(tensor, 0.0, s, -2.0 * s, 2.0 * s)
    if scheme not in TORCH_SCHEMES:
        raise Skip("scheme %r is not a torch.nn.init function" % scheme)
    return getattr(init, scheme + "_")(tensor, **args)


def reinitialize(model, config):
    """torch.manual_seed(seed), then every parameter once, in config order."""
    torch.manual_seed(config["seed"])
    chosen = {}
    with torch.no_grad():
        for layer in config["layers"]:
            try:
                module = model.get_submodule(layer["name"])
            except AttributeError:   # Add: owns nothing, registers no module
                continue
            weight = getattr(module, "weight", None)
            for param, tensor in module.named_parameters(recurse=False):
                scheme, args, by = choose(config, layer, param)
                if scheme is None:
                    default_init(layer["type"], param, tensor, weight)
                    scheme = "default"
                else:
                    apply_scheme(scheme, args, tensor, weight)
                chosen["%s.%s" % (layer["name"], param)] = {"scheme": scheme, "args": args,
                                                           "chosen_by": by}
    return chosen


# ------------------------------------------------------------------ storage
def sha256(array):
    return hashlib.sha256(np.ascontiguousarray(array, dtype="<f4").tobytes()).hexdigest()


def manifest_text(manifest):
    """JSON with one tensor per line: compact, and diffs stay readable."""
    lines = []
    for key, value in manifest.items():
        if key == "tensors":
            rows = ",\n".join("  " + json.dumps(v, separators=(",", ":")) for v in value)
            lines.append(" %s: [\n%s\n ]" % (json.dumps(key), rows))
        else:
            lines.append(" %s: %s" % (json.dumps(key), json.dumps(value)))
    return "{\n" + ",\n".join(lines) + "\n}\n"


def stripped(config):
    """The config without explicit inits: every parameter gets its default."""
    config = copy.deepcopy(config)
    config.pop("init_rules", None)
    for layer in config["layers"]:
        layer.pop("init", None)
    return config


def check_replica(config, where):
    """With defaults only, re-seeding and re-initializing in config order
    must give exactly what construction after torch.manual_seed gave: the
    replica follows the stream the way `Model()` does."""
    config = stripped(config)
    torch.manual_seed(config["seed"])
    model = ConfigModel(config)
    constructed = {k: v.clone() for k, v in model.state_dict().items()}
    reinitialize(model, config)
    for k, v in model.state_dict().items():
        if not torch.equal(v, constructed[k]):
            sys.exit("error: %s: re-initialization differs from construction at %s" % (where, k))


def make_case(config, config_ref, name, out_root):
    """One golden case: `initforge run <config_ref> --rng torch --seed S`."""
    if config.get("plugins"):
        raise Skip("uses plugins outside the built-in set")
    check_replica(config, config_ref)
    # 1. build (the stream is consumed as by `Model()`), then the inits
    torch.manual_seed(config["seed"])
    model = ConfigModel(config)
    chosen = reinitialize(model, config)
    # 2. forward in eval mode on a fixed batch
    model.eval()
    rng = np.random.RandomState(INPUT_SEED)
    x = rng.standard_normal((BATCH,) + tuple(config["input"])).astype(np.float32)
    with torch.no_grad():
        y = model(torch.from_numpy(x)).numpy().astype(np.float32)
        y64 = copy.deepcopy(model).double()(torch.from_numpy(x).double()).numpy()
    # 3. write
    out = os.path.join(out_root, name)
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, "input.npy"), x)
    np.save(os.path.join(out, "output.npy"), y)
    parts, offset, budget, tensors = [], 0, BUDGET, []
    for key, value in model.state_dict().items():
        if key.endswith("num_batches_tracked"):
            continue   # an int64 counter, not a float tensor
        v = value.detach().numpy().astype(np.float32).ravel()
        entry = {"name": key, "shape": list(value.shape),
                 "kind": "parameter" if key in chosen else "buffer",
                 "sha256": sha256(v)}
        if key in chosen:
            entry.update(chosen[key])
        if v.size <= budget:
            budget -= v.size
            stored = v
            entry.update(values="full", offset=offset, count=int(v.size))
        else:   # count values from offset, then the last count
            stored = np.concatenate([v[:EDGE], v[-EDGE:]])
            entry.update(values="edges", offset=offset, count=EDGE)
        parts.append(stored)
        offset += stored.size
        tensors.append(entry)
    np.save(os.path.join(out, "values.npy"), np.concatenate(parts).astype(np.float32))
    manifest = {
        "made_by": "tools/golden/make_model_golden.py",
        "torch_version": torch.__version__,
        "config": config_ref,
        "seed": config["seed"], "batch": BATCH,
        # the test runs with this many threads: torch mode must not depend on it
        "threads": 2 if config["seed"] == ALT_SEED else 1,
        "input": "input.npy", "output": "output.npy", "values": "values.npy",
        "output_shape": list(y.shape),
        "float64_max_abs_diff": float(np.max(np.abs(y64 - y))),
        "tensors": tensors,
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        f.write(manifest_text(manifest))
    print("%s: %d tensors, output vs float64 max |diff| %.2g"
          % (name, len(tensors), manifest["float64_max_abs_diff"]))


def config_text(config):
    """A config as JSON with one layer per line, like configs/*.json."""
    lines = []
    for key, value in config.items():
        if key == "layers":
            rows = ",\n".join("    " + json.dumps(v) for v in value)
            lines.append('  "layers": [\n%s\n  ]' % rows)
        else:
            lines.append("  %s: %s" % (json.dumps(key), json.dumps(value)))
    return "{\n" + ",\n".join(lines) + "\n}\n"


def expanded(path, config, initforge):
    """The config with its blocks and repeats expanded, as `initforge
    validate --expanded` prints it (the names PyTorch's containers give)."""
    if "blocks" not in config and all("type" in l for l in config["layers"]):
        return config
    if not os.access(initforge, os.X_OK):
        raise Skip("has blocks: expanding them needs %s (--initforge)" % initforge)
    out = subprocess.run([initforge, "validate", "--expanded", path], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def cases(path, root, out_root, initforge):
    """(config, config path from the repository root, case name) of a file:
    its own seed, ALT_SEED, and for DEFAULTS_VARIANTS the config stripped of
    its inits (written next to the data, so the test runs that file)."""
    with open(path) as f:
        config = expanded(path, json.load(f), initforge)
    stem = os.path.splitext(os.path.basename(path))[0]
    ref = os.path.relpath(path, root)
    for seed in sorted({config.get("seed", 0), ALT_SEED}):
        yield dict(config, seed=seed), ref, "%s_seed%d" % (stem, seed)
    if os.path.basename(path) in DEFAULTS_VARIANTS:
        name = "%s_defaults_seed%d" % (stem, config.get("seed", 0))
        variant = dict(stripped(config), seed=config.get("seed", 0))
        os.makedirs(os.path.join(out_root, name), exist_ok=True)
        variant_path = os.path.join(out_root, name, "config.json")
        with open(variant_path, "w") as f:
            f.write(config_text(variant))
        yield variant, os.path.relpath(variant_path, root), name


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    # The example configs, and the small per-layer configs that only exist to
    # pin each layer type against PyTorch.
    parser.add_argument("--configs", nargs="+",
                        default=[os.path.join(root, "configs"),
                                 os.path.join(root, "tests", "data", "golden_configs")])
    parser.add_argument("--only", nargs="+", metavar="STEM",
                        help="regenerate only the cases of these configs (file stems)")
    parser.add_argument("--out", default=os.path.join(root, "tests", "data", "model_golden"))
    parser.add_argument("--initforge", default=os.path.join(root, "build", "ci", "initforge"),
                        help="the binary that expands configs with blocks")
    args = parser.parse_args()
    if not torch.__version__.startswith("1.13"):
        sys.exit("error: needs torch 1.13 (found %s)" % torch.__version__)
    capability = torch.__config__.show().split("CPU capability usage: ")[1].split()[0]
    if capability not in ("AVX2", "AVX512"):
        sys.exit("error: needs PyTorch's AVX2 kernels (found %s)" % capability)
    warnings.filterwarnings("ignore")
    torch.set_num_threads(1)
    configs = sorted(path for d in args.configs for path in glob.glob(os.path.join(d, "*.json")))
    if args.only:
        stem = lambda path: os.path.splitext(os.path.basename(path))[0]
        configs = [path for path in configs if stem(path) in args.only]
    if not configs:
        sys.exit("error: no configs in %s" % " ".join(args.configs))
    for old in glob.glob(os.path.join(args.out, "*", "manifest.json")):
        with open(old) as f:
            made_from = os.path.join(root, json.load(f)["config"])
        if not args.only or stem(made_from) in args.only:
            shutil.rmtree(os.path.dirname(old))   # no stale cases
    for path in configs:
        try:
            for config, ref, name in cases(path, root, args.out, args.initforge):
                make_case(config, ref, name, args.out)
        except Skip as e:
            print("%s: skipped: %s" % (os.path.basename(path), e))

if __name__ == "__main__":
    main()
