#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes tests/data/optim_golden.json: torch 1.13 SGD/Adam/AdamW trajectories,
cross_entropy / mse losses with gradients, and StepLR / CosineAnnealingLR lrs."""
import json
import pathlib

import torch

STEPS = 5
P0 = [0.5, -1.25, 2.0, 0.125, -0.75, 1.5]
GRADS = [[0.1 * (k + 1) * ((-1) ** i) + 0.03 * i for i in range(len(P0))] for k in range(STEPS)]


def run(make_opt):
    p = torch.tensor(P0, dtype=torch.float32, requires_grad=True)
    opt = make_opt([p])
    out = []
    for g in GRADS:
        p.grad = torch.tensor(g, dtype=torch.float32)
        opt.step()
        out.append(p.detach().tolist())
    return out


OPTIMS = {
    "sgd_plain": ("sgd", dict(lr=0.1)),
    "sgd_momentum": ("sgd", dict(lr=0.1, momentum=0.9)),
    "sgd_dampening_wd": ("sgd", dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01)),
    "sgd_nesterov_wd": ("sgd", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3)),
    "adam": ("adam", dict(lr=0.01)),
    "adam_wd_amsgrad": ("adam", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1,
                                     amsgrad=True)),
    "adamw": ("adamw", dict(lr=0.01, weight_decay=0.05)),
    "adamw_amsgrad": ("adamw", dict(lr=0.03, betas=(0.85, 0.995), weight_decay=0.2,
                                    amsgrad=True)),
}
CLASSES = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}


def optimizers():
    out = {}
    for name, (kind, kw) in OPTIMS.items():
        if kind != "sgd":
            kw = dict(kw, foreach=False)
        opts = dict(kw)
        if "betas" in opts:
            opts["beta1"], opts["beta2"] = opts.pop("betas")
        opts.pop("foreach", None)
        out[name] = {"type": kind, "options": opts,
                     "params": run(lambda ps, c=CLASSES[kind], k=kw: c(ps, **k))}
    return out


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
    data = {"torch": torch.__version__, "initial": P0, "grads": GRADS,
            "optimizers": optimizers(), "losses": losses(), "schedules": schedules()}
    out = pathlib.Path(__file__).resolve().parents[2] / "tests/data/optim_golden.json"
    out.write_text(json.dumps(data, indent=1) + "\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
