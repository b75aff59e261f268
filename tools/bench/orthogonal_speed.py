#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Speed of philox `initforge sample orthogonal` beside PyTorch+OpenBLAS.

Issue 10: the philox QR (Eigen, fixed blocking, same bits whatever the BLAS
and thread count) must take at most 1.5x the best torch.nn.init.orthogonal_
on a 4096x4096 float tensor. PyTorch (/usr/bin/python3) runs under OpenBLAS
at each of torch.set_num_threads 1/2 x OPENBLAS_NUM_THREADS 1/default; the
best median counts. Every run is its own process, the configurations are
interleaved, and the load average is printed before and after.

    tools/bench/orthogonal_speed.py [--cli build/release/initforge]
                                    [--repeats 5] [--side 4096]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OPENBLAS = "/usr/lib/x86_64-linux-gnu/openblas-pthread"
TARGET_RATIO = 1.5
TORCH_SCRIPT = """
import sys, time, torch
torch.set_num_threads(int(sys.argv[1]))
torch.manual_seed(0)
t = torch.empty(int(sys.argv[2]), int(sys.argv[2]))
t.zero_()  # prefault, as initforge's --prefault
start = time.perf_counter()
torch.nn.init.orthogonal_(t)
print(time.perf_counter() - start)
"""


def initforge_seconds(cli, side, threads):
    """The fill time initforge reports (in-process, pages prefaulted)."""
    out = subprocess.run(
        [cli, "sample", "orthogonal", "--shape", f"{side},{side}",
         "--threads", str(threads), "--prefault", "--json"],
        check=True, capture_output=True, text=True).stdout
    return json.loads(out)["fill_seconds"]


def torch_seconds(side, torch_threads, openblas_threads):
    env = dict(os.environ, LD_LIBRARY_PATH=OPENBLAS)
    env.pop("OPENBLAS_NUM_THREADS", None)
    if openblas_threads is not None:
        env["OPENBLAS_NUM_THREADS"] = str(openblas_threads)
    out = subprocess.run(
        ["/usr/bin/python3", "-c", TORCH_SCRIPT, str(torch_threads), str(side)],
        check=True, capture_output=True, text=True, env=env).stdout
    return float(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", default=os.path.join(ROOT, "build", "release", "initforge"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--side", type=int, default=4096)
    parser.add_argument("--threads", type=int, default=os.cpu_count(),
                        help="initforge --threads (default: all cores)")
    args = parser.parse_args()

    configs = [("initforge", None)]
    for torch_threads in (1, 2):
        for openblas_threads in (1, None):
            configs.append(("torch", (torch_threads, openblas_threads)))
    times = {c: [] for c in configs}
    print(f"load average before: {os.getloadavg()}", flush=True)
    for r in range(args.repeats):
        for kind, cfg in configs:
            if kind == "initforge":
                s = initforge_seconds(args.cli, args.side, args.threads)
            else:
                s = torch_seconds(args.side, *cfg)
            times[(kind, cfg)].append(s)
            print(f"  run {r + 1}: {kind} {cfg or ''} {s:.3f} s", flush=True)
    print(f"load average after:  {os.getloadavg()}")

    def label(kind, cfg):
        if kind == "initforge":
            return f"initforge philox --threads {args.threads}"
        return (f"torch set_num_threads({cfg[0]}) "
                f"OPENBLAS_NUM_THREADS={cfg[1] if cfg[1] else 'default'}")

    medians = {c: statistics.median(v) for c, v in times.items()}
    for c, m in medians.items():
        print(f"{label(*c):55s} median {m:7.3f} s  runs "
              + " ".join(f"{t:.2f}" for t in times[c]))
    best = min((c for c in configs if c[0] == "torch"), key=medians.get)
    ratio = medians[configs[0]] / medians[best]
    verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
    print(f"initforge / best torch ({label(*best)}): {ratio:.2f}x "
          f"(target <= {TARGET_RATIO}x) {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
