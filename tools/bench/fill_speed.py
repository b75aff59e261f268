#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Fill speed of initforge beside PyTorch 1.13, in one run, as one table.

Runs bench_fill (Google Benchmark, JSON, repetitions, medians) and, when a
python with torch is available (this one or /usr/bin/python3), times the same
torch.nn.init calls on a preallocated 4096x4096 float32 tensor with the same
thread count. Prints: op, initforge philox G/s, initforge torch-mode G/s,
PyTorch G/s, ratios, target, PASS/FAIL.

    tools/bench/fill_speed.py [--bench build/release/tools/bench/bench_fill]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMES = ["uniform", "normal", "trunc_normal", "kaiming_uniform",
           "kaiming_normal", "xavier_uniform", "xavier_normal"]
# Philox targets in G elements/s (issue 2); torch mode must match PyTorch.
PHILOX_TARGET = {"uniform": 2.0, "kaiming_uniform": 2.0, "xavier_uniform": 2.0,
                 "normal": 1.0, "kaiming_normal": 1.0, "xavier_normal": 1.0,
                 "trunc_normal": 0.5}
# Torch mode must be no slower than PyTorch (issue 2).
TORCH_MODE_SLACK = 1.0
LOAD_TARGET_MS = 50.0
SIDE = 4096


def torch_speeds(threads, repeats):
    """{op: G elements/s} of torch.nn.init on a preallocated tensor."""
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    t = torch.empty(SIDE, SIDE)
    init = torch.nn.init
    ops = {"uniform": init.uniform_, "normal": init.normal_,
           "trunc_normal": init.trunc_normal_,
           "kaiming_uniform": init.kaiming_uniform_,
           "kaiming_normal": init.kaiming_normal_,
           "xavier_uniform": init.xavier_uniform_,
           "xavier_normal": init.xavier_normal_}
    t.zero_()  # prefault
    out = {}
    for name, fn in ops.items():
        fn(t)  # warm-up
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn(t)
            times.append(time.perf_counter() - start)
        out[name] = t.numel() / statistics.median(times) / 1e9
    out["_version"] = torch.__version__
    out["_threads"] = torch.get_num_threads()
    return out


def torch_speeds_any_python(threads, repeats):
    try:
        import torch  # noqa: F401
        return torch_speeds(threads, repeats)
    except ImportError:
        pass
    python = "/usr/bin/python3"
    if not os.path.exists(python) or os.path.realpath(python) == os.path.realpath(sys.executable):
        return None
    proc = subprocess.run(
        [python, os.path.abspath(__file__), "--torch-only", "--threads", str(threads),
         "--torch-repeats", str(repeats)], capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"note: PyTorch timing failed: {proc.stderr.strip()}", file=sys.stderr)
        return None
    return json.loads(proc.stdout)


def run_bench(bench, threads, repetitions, min_time, bench_filter):
    """{benchmark name without /real_time: median aggregate record}."""
    cmd = [bench, "--benchmark_format=json", f"--benchmark_repetitions={repetitions}",
           "--benchmark_report_aggregates_only=true", f"--benchmark_min_time={min_time}"]
    if bench_filter:
        cmd.append(f"--benchmark_filter={bench_filter}")
    env = dict(os.environ, INITFORGE_BENCH_THREADS=str(threads))
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"error: {' '.join(cmd)} failed:\n{proc.stderr}")
    if proc.stderr.strip():
        print(proc.stderr.strip(), file=sys.stderr)
    data = json.loads(proc.stdout)
    medians = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name") == "median":
            medians[b["run_name"].replace("/real_time", "")] = b
    return data.get("context", {}), medians


def gps(medians, name):
    b = medians.get(name)
    return None if b is None else b["items_per_second"] / 1e9


def fmt(v, spec="{:.2f}"):
    return "-" if v is None else spec.format(v)


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def print_table(medians, torch, context):
    rows = []
    failed = False
    for op in SCHEMES:
        for variant in ("prefaulted", "fresh"):
            ph = gps(medians, f"scheme/philox/{op}/{variant}")
            tm = gps(medians, f"scheme/torch/{op}/{variant}")
            pt = torch.get(op) if torch and variant == "prefaulted" else None
            target = PHILOX_TARGET[op]
            if variant == "prefaulted":
                ok = ph is not None and ph >= target
                if pt is not None and tm is not None:
                    ok = ok and tm >= TORCH_MODE_SLACK * pt
                verdict = "PASS" if ok else "FAIL"
                failed |= not ok
                target_text = f"philox>={target:g}, torch>=PyTorch"
            else:
                verdict, target_text = "info", "(page faults)"
            rows.append((f"{op} [{variant}]", fmt(ph), fmt(tm), fmt(pt), fmt(ratio(ph, pt), "{:.1f}x"),
                         fmt(ratio(tm, pt), "{:.2f}x"), target_text, verdict))
    for op in ("uniform", "normal", "trunc_normal", "random_u32"):
        for variant in ("prefaulted", "fresh"):
            ph = gps(medians, f"gen/philox/{op}/{variant}")
            tm = gps(medians, f"gen/torch/{op}/{variant}")
            if ph is None and tm is None:
                continue
            rows.append((f"Generator::{op} [{variant}]", fmt(ph), fmt(tm), "-", "-", "-", "", "info"))
    load = medians.get("plugins/load_all")
    if load is not None:
        ms = load["real_time"] * {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[load["time_unit"]]
        ok = ms < LOAD_TARGET_MS
        failed |= not ok
        rows.append(("load all built-in plugins", f"{ms:.2f} ms", "", "", "", "",
                     f"< {LOAD_TARGET_MS:g} ms", "PASS" if ok else "FAIL"))
    header = ("op (4096x4096 f32)", "philox G/s", "torch-mode G/s", "PyTorch G/s",
              "philox/PT", "torch-mode/PT", "target", "result")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = "  ".join("{:<%d}" % w for w in widths)
    print(f"threads: {context.get('omp_threads', '?')}, philox kernel: "
          f"{context.get('philox_kernel', '?')}, medians of the repetitions"
          + (f", PyTorch {torch['_version']} ({torch['_threads']} threads)" if torch else
             ", PyTorch: not available"))
    print(line.format(*header))
    print(line.format(*["-" * w for w in widths]))
    for r in rows:
        print(line.format(*r))
    return failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default=os.path.join(ROOT, "build", "release", "tools", "bench", "bench_fill"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--min-time", type=float, default=0.2, help="seconds per repetition")
    parser.add_argument("--filter", default="", help="--benchmark_filter for bench_fill")
    parser.add_argument("--torch-repeats", type=int, default=7)
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch timings")
    parser.add_argument("--torch-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.torch_only:
        print(json.dumps(torch_speeds(args.threads, args.torch_repeats)))
        return 0
    if not os.access(args.bench, os.X_OK):
        sys.exit(f"error: {args.bench} is not an executable; build the release preset "
                 "(tools/build.sh release) or pass --bench")
    context, medians = run_bench(args.bench, args.threads, args.repetitions, args.min_time, args.filter)
    torch = None if args.no_torch else torch_speeds_any_python(args.threads, args.torch_repeats)
    failed = print_table(medians, torch, context)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
