#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Forward speed of initforge beside raw oneDNN and PyTorch 1.13, one table.

Runs bench_model (configs/mlp.json and configs/cnn.json at batch 256,
configs/resnet20.json at batch 8 and, once it exists with its layer types,
configs/resnet18_torchvision.json at batch 8 on 3x224x224: initforge's graph
vs the same oneDNN primitives driven directly) and
bench_layers (Linear b256 1024->1024, Conv2d 64->64 3x3 on 56x56 b8: layer vs
raw) once per thread count (Google Benchmark, JSON, repetitions, medians),
then times the same forward passes in PyTorch (eval, no_grad, the same
torch.set_num_threads) with /usr/bin/python3 when this python has no torch;
configs with blocks are expanded by `initforge validate --expanded` first
(ConfigModel of tools/golden/make_model_golden.py builds the torch module).
Prints per workload and thread count: initforge, raw oneDNN and PyTorch
medians in ms, initforge/raw (target <= 1.05) and initforge/PyTorch.

    tools/bench/model_speed.py [--build build/release] [--threads 1,2]

Benchmark on a quiet machine: the table shows the load average.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGET = 1.05
# workload -> (binary, initforge benchmark, raw benchmark); {t}: threads.
# bench_model takes its thread count from INITFORGE_BENCH_THREADS,
# bench_layers has it as the benchmark argument.
WORKLOADS = {
    "mlp.json b256": ("bench_model", "model/mlp/initforge", "model/mlp/raw"),
    "cnn.json b256": ("bench_model", "model/cnn/initforge", "model/cnn/raw"),
    "resnet20 b8": ("bench_model", "model/resnet20/initforge", "model/resnet20/raw"),
    "resnet18 b8 224²": ("bench_model", "model/resnet18_torchvision/initforge",
                         "model/resnet18_torchvision/raw"),
    "Linear 1024->1024 b256": ("bench_layers", "BM_LinearLayer/threads:{t}",
                               "BM_LinearRaw/threads:{t}"),
    "Conv2d 64->64 3x3 56x56 b8": ("bench_layers", "BM_Conv2dLayer/threads:{t}",
                                   "BM_Conv2dRaw/threads:{t}"),
}
FILTERS = {"bench_model": "", "bench_layers": "threads:{t}(/|$)"}
# The bench_model workloads PyTorch runs too: workload -> (config, batch).
CONFIG_WORKLOADS = {
    "mlp.json b256": ("mlp", 256),
    "cnn.json b256": ("cnn", 256),
    "resnet20 b8": ("resnet20", 8),
    "resnet18 b8 224²": ("resnet18_torchvision", 8),
}


# ------------------------------------------------------------------ PyTorch
def torch_workloads(initforge):
    """{workload: (module, input)} built like the benchmarks build them;
    `initforge` expands configs with blocks. A config that is missing or
    that ConfigModel cannot build is left out with a note."""
    import importlib.util
    import numpy as np
    import torch
    spec = importlib.util.spec_from_file_location(
        "make_model_golden", os.path.join(ROOT, "tools", "golden", "make_model_golden.py"))
    golden = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(golden)
    rng = np.random.RandomState(7)
    out = {}
    for workload, (name, batch) in CONFIG_WORKLOADS.items():
        path = os.path.join(ROOT, "configs", name + ".json")
        try:
            if not os.path.exists(path):
                raise golden.Skip("%s does not exist" % path)
            with open(path) as f:
                config = golden.expanded(path, json.load(f), initforge)
            model = golden.ConfigModel(config)
        except golden.Skip as e:
            print("note: PyTorch %s skipped: %s" % (workload, e), file=sys.stderr)
            continue
        x = rng.standard_normal((batch,) + tuple(config["input"])).astype(np.float32)
        out[workload] = (model, torch.from_numpy(x))
    out["Linear 1024->1024 b256"] = (torch.nn.Linear(1024, 1024), torch.randn(256, 1024))
    out["Conv2d 64->64 3x3 56x56 b8"] = (torch.nn.Conv2d(64, 64, 3, padding=1),
                                        torch.randn(8, 64, 56, 56))
    return out


def torch_times(threads, repetitions, min_time, initforge):
    """{workload: median ms} of module(x) in eval mode under no_grad."""
    import torch
    torch.set_num_threads(threads)
    result = {"_version": torch.__version__, "_threads": torch.get_num_threads()}
    with torch.no_grad():
        for name, (module, x) in torch_workloads(initforge).items():
            module.eval()
            module(x)  # warm-up
            times = []
            for _ in range(repetitions):
                n, start = 0, time.perf_counter()
                while True:
                    module(x)
                    n += 1
                    elapsed = time.perf_counter() - start
                    if elapsed >= min_time:
                        break
                times.append(elapsed / n * 1e3)
            result[name] = statistics.median(times)
    return result


def torch_times_any_python(threads, repetitions, min_time, initforge):
    try:
        import torch  # noqa: F401
        return torch_times(threads, repetitions, min_time, initforge)
    except ImportError:
        pass
    python = "/usr/bin/python3"
    if not os.path.exists(python) or os.path.realpath(python) == os.path.realpath(sys.executable):
        return None
    proc = subprocess.run(
        [python, os.path.abspath(__file__), "--torch-only", "--threads", str(threads),
         "--repetitions", str(repetitions), "--min-time", str(min_time),
         "--initforge", initforge],
        capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"note: PyTorch timing failed: {proc.stderr.strip()}", file=sys.stderr)
        return None
    sys.stderr.write(proc.stderr)  # the skip notes
    return json.loads(proc.stdout)


# ---------------------------------------------------------------- initforge
def run_bench(binary, threads, repetitions, min_time, bench_filter):
    """{benchmark name: median real time in ms}; {} when the binary is missing."""
    if not os.access(binary, os.X_OK):
        print(f"note: {binary} not built; its rows stay empty", file=sys.stderr)
        return {}
    # Interleaved repetitions: a load change hits initforge and raw alike.
    cmd = [binary, "--benchmark_format=json", f"--benchmark_repetitions={repetitions}",
           "--benchmark_report_aggregates_only=true", f"--benchmark_min_time={min_time}",
           "--benchmark_enable_random_interleaving=true"]
    if bench_filter:
        cmd.append(f"--benchmark_filter={bench_filter}")
    env = dict(os.environ, INITFORGE_BENCH_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"error: {' '.join(cmd)} failed:\n{proc.stderr}")
    for line in proc.stderr.splitlines():  # workloads skipped (a missing config)
        if line.startswith("note:") and line not in NOTES:
            NOTES.add(line)
            print(line, file=sys.stderr)
    medians = {}
    for b in json.loads(proc.stdout)["benchmarks"]:
        if b.get("error_occurred"):
            print(f"note: {b['name']}: {b.get('error_message')}", file=sys.stderr)
        elif b.get("aggregate_name") == "median":
            scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b["time_unit"]]
            medians[b["run_name"].replace("/real_time", "")] = b["real_time"] * scale
    return medians


NOTES = set()


def fmt(v, spec="{:.2f}"):
    return "-" if v is None else spec.format(v)


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build", "release"),
                        help="build tree holding tools/bench/bench_model and bench_layers")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument("--repetitions", type=int, default=7)
    parser.add_argument("--min-time", type=float, default=0.3, help="seconds per repetition")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch timings")
    parser.add_argument("--torch-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--initforge", help=argparse.SUPPRESS)  # default: BUILD/initforge
    args = parser.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    initforge = args.initforge or os.path.join(args.build, "initforge")
    if args.torch_only:
        print(json.dumps(torch_times(threads[0], args.repetitions, args.min_time, initforge)))
        return 0
    bench_dir = os.path.join(args.build, "tools", "bench")
    rows, failed, torch_version = [], False, None
    for t in threads:
        medians = {}
        for binary, bench_filter in FILTERS.items():
            medians.update(run_bench(os.path.join(bench_dir, binary), t, args.repetitions,
                                     args.min_time, bench_filter.format(t=t)))
        torch = None if args.no_torch else torch_times_any_python(
            t, max(3, args.repetitions // 2), args.min_time, initforge)
        if torch:
            torch_version = torch["_version"]
        for name, (_, ours, raw) in WORKLOADS.items():
            a, b = medians.get(ours.format(t=t)), medians.get(raw.format(t=t))
            pt = torch.get(name) if torch else None
            r = ratio(a, b)
            verdict = "-" if r is None else ("PASS" if r <= TARGET else "FAIL")
            failed |= verdict == "FAIL"
            rows.append((name, str(t), fmt(a), fmt(b), fmt(pt), fmt(r, "{:.3f}"),
                         fmt(ratio(a, pt), "{:.3f}"), verdict))
    header = ("forward", "threads", "initforge ms", "raw oneDNN ms", "PyTorch ms",
              "initforge/raw", "initforge/PyTorch", f"<= {TARGET}")
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    line = "  ".join("{:<%d}" % w for w in widths)
    print(f"medians of {args.repetitions} repetitions; load average "
          f"{os.getloadavg()[0]:.2f}; PyTorch {torch_version or 'not available'}")
    print(line.format(*header))
    print(line.format(*["-" * w for w in widths]))
    for r in rows:
        print(line.format(*r))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
