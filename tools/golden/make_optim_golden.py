#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes torch 1.13's optimizer, loss and LR-schedule results for
tests/train/train_math_tests.

Run with the Debian python that has torch 1.13 (CI does not need torch):
    /usr/bin/python3 tools/golden/make_optim_golden.py

Output:
  tests/data/optim_golden.json       cross_entropy / mse losses with gradients,
                                     StepLR / CosineAnnealingLR learning rates
  tests/data/optim_golden/manifest.json
                                     every optimizer case: type, options, and
                                     where its values are (data, offset, count)
  tests/data/optim_golden/values.npy 1-D float32: the initial parameter, the
                                     gradients, each case's parameter after
                                     every step and its final state buffers

The optimizer cases run torch.optim's default (single-tensor) path on one
parameter of N = 1003 elements: odd, so initforge's AVX2 loop body and its
scalar tail both meet torch's numbers. SGD runs every valid combination of
momentum, dampening, nesterov and weight_decay (10 of the 16; nesterov needs
momentum > 0 and dampening 0); Adam and AdamW every combination of
weight_decay and amsgrad. initforge has no `maximize`, so neither has this.
"""
import itertools
import json
import os
import re
import sys

import numpy as np
import torch

N = 1003
# Gradient scales per step: large after small makes amsgrad's running max
# keep an old value for some elements and take the new one for others.
GRAD_SCALES = [1.0, 0.25, 3.0, 0.01, 1.5, 0.5]


class Store:
    """Concatenates the golden values into one float32 array."""

    def __init__(self, name):
        self.name = name
        self.parts = []
        self.size = 0

    def add(self, values):
        # A copy: the optimizer keeps updating the tensor in place.
        values = np.array(values.detach().numpy(), dtype=np.float32, copy=True).ravel()
        ref = {"data": self.name, "offset": self.size, "count": int(values.size)}
        self.parts.append(values)
        self.size += values.size
        return ref

    def write(self, directory):
        data = np.concatenate(self.parts)
        np.save(os.path.join(directory, self.name), data)
        return data.nbytes


def inputs():
    """The initial parameter and the gradients, fixed by seed 20261203; every
    97th gradient element is 0 (Adam then divides by eps alone)."""
    g = torch.Generator().manual_seed(20261203)
    p0 = torch.randn(N, generator=g)
    grads = []
    for scale in GRAD_SCALES:
        grad = torch.randn(N, generator=g) * scale
        grad[::97] = 0.0
        grads.append(grad)
    return p0, grads


def sgd_cases():
    """The valid combinations of the four SGD options, as torch checks them."""
    cases = []
    for momentum, dampening, nesterov, wd in itertools.product(
            (0.0, 0.9), (0.0, 0.3), (False, True), (0.0, 0.01)):
        if nesterov and (momentum <= 0 or dampening != 0):
            continue  # torch.optim.SGD raises ValueError
        name = "sgd_m%g_d%g_%s_wd%g" % (momentum, dampening,
                                        "nesterov" if nesterov else "plain", wd)
        cases.append((name, "sgd", dict(lr=0.1, momentum=momentum, dampening=dampening,
                                        nesterov=nesterov, weight_decay=wd)))
    return cases


def adam_cases():
    """Adam and AdamW with and without weight decay and amsgrad; betas and
    eps other than the defaults in half of them."""
    cases = []
    for kind, wd, amsgrad in itertools.product(("adam", "adamw"), (0.0, 0.05),
                                               (False, True)):
        opts = dict(lr=0.01, weight_decay=wd, amsgrad=amsgrad)
        if amsgrad:
            opts.update(betas=(0.8, 0.99), eps=1e-6)
        name = "%s_wd%g_%s" % (kind, wd, "amsgrad" if amsgrad else "plain")
        cases.append((name, kind, opts))
    return cases


CLASSES = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}
STATE_BUFFERS = ("momentum_buffer", "exp_avg", "exp_avg_sq", "max_exp_avg_sq")


def run_case(store, p0, grads, name, kind, opts):
    """Runs one optimizer through the gradients; records the parameter after
    every step and the state buffers after the last."""
    p = p0.clone().requires_grad_(True)
    opt = CLASSES[kind]([p], **opts)
    params = []
    for grad in grads:
        p.grad = grad.clone()
        opt.step()
        params.append(store.add(p))
    state = opt.state[p]
    options = dict(opts)
    if "betas" in options:
        options["beta1"], options["beta2"] = options.pop("betas")
    return {"name": name, "type": kind, "options": options, "params": params,
            "state": {k: store.add(state[k]) for k in STATE_BUFFERS
                      if state.get(k) is not None}}


def optimizers(out):
    store = Store("values.npy")
    p0, grads = inputs()
    manifest = {
        "torch_version": torch.__version__,
        "cpu_capability": capability(),
        "made_by": "tools/golden/make_optim_golden.py",
        "n": N,
        "initial": store.add(p0),
        "grads": [store.add(g) for g in grads],
        "cases": [run_case(store, p0, grads, *c) for c in sgd_cases() + adam_cases()],
    }
    os.makedirs(out, exist_ok=True)
    size = store.write(out)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        f.write(manifest_text(manifest))
    print("%s: %d cases, %.1f kB of data" % (out, len(manifest["cases"]), size / 1024))


def manifest_text(manifest):
    """Indented JSON with each value reference on one line."""
    text = json.dumps(manifest, indent=1)
    return re.sub(r'\{\s+"data": ("[^"]+"),\s+"offset": (\d+),\s+"count": (\d+)\s+\}',
                  r'{"data": \1, "offset": \2, "count": \3}', text) + "\n"


def capability():
    return torch.__config__.show().split("CPU capability usage: ")[1].split()[0]


def losses():
    g = torch.Generator().manual_seed(7)
    logits = (torch.randn(4, 5, generator=g) * 3).float().requires_grad_(True)
    labels = torch.tensor([0, 4, 2, 2], dtype=torch.int64)
    ce = torch.nn.functional.cross_entropy(logits, labels)
    ce.backward()
    pred = torch.randn(3, 4, generator=g).float().requires_grad_(True)
    target = torch.randn(3, 4, generator=g).float()
    mse = torch.nn.functional.mse_loss(pred, target)
    mse.backward()
    return {
        "cross_entropy": {"logits": logits.detach().flatten().tolist(), "shape": [4, 5],
                          "labels": labels.tolist(), "loss": ce.item(),
                          "grad": logits.grad.flatten().tolist()},
        "mse": {"pred": pred.detach().flatten().tolist(), "shape": [3, 4],
                "target": target.flatten().tolist(), "loss": mse.item(),
                "grad": pred.grad.flatten().tolist()},
    }


def schedules():
    def seq(make):
        p = torch.nn.Parameter(torch.zeros(1))
        opt = torch.optim.SGD([p], lr=0.1)
        sched = make(opt)
        lrs = []
        for _ in range(10):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
        return lrs

    return {
        "step": {"base_lr": 0.1, "step_size": 3, "gamma": 0.5,
                 "lrs": seq(lambda o: torch.optim.lr_scheduler.StepLR(o, 3, 0.5))},
        "cosine": {"base_lr": 0.1, "t_max": 10, "eta_min": 0.001,
                   "lrs": seq(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 10, 0.001))},
    }


def main():
    if not torch.__version__.startswith("1.13"):
        sys.exit("error: needs torch 1.13 (found %s)" % torch.__version__)
    # The AVX2/AVX512 kernels fuse a + alpha * b; the default ones do not.
    if capability() not in ("AVX2", "AVX512"):
        sys.exit("error: needs PyTorch's AVX2 kernels (found %s)" % capability())
    torch.set_num_threads(1)
    data_dir = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), "tests", "data")
    optimizers(os.path.join(data_dir, "optim_golden"))
    data = {"torch": torch.__version__, "losses": losses(), "schedules": schedules()}
    with open(os.path.join(data_dir, "optim_golden.json"), "w") as f:
        f.write(json.dumps(data, indent=1) + "\n")
    print("wrote", os.path.join(data_dir, "optim_golden.json"))


if __name__ == "__main__":
    main()
