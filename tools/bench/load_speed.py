#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""One mlp.json training epoch on an idle machine and beside a busy process.

oneDNN shares each parallel region's work out statically, so a region lasts
as long as its slowest thread. Beside one busy process, the scheduler used to
stack initforge's two threads on one core or move them around, and an epoch
took 3-4x its idle time (10-100x with an earlier spin setting). The CLI now
pins each OpenMP thread to a CPU of its own (framework/core/pinned_threads.h).
This measures it against unpinned threads, in one run:

- settings: "initforge" (no OpenMP variables: the binary's own choice) and
  "unpinned" (OMP_PROC_BIND=false: the scheduler places the threads, as
  before), plus any --extra settings, each a comma-free list of
  NAME=VALUE assignments joined by '+' (e.g. OMP_WAIT_POLICY=passive);
- each setting idle and loaded (one competing busy process: a single-thread
  busy loop, started before and killed after the run), interleaved over
  --repeats rounds so a load change hits all alike;
- the epoch time is summary.json's wall_times.epochs[0].train_seconds of
  `initforge train configs/mlp.json --epochs 1` at the default --threads.

Targets (issue 10): loaded <= 2.5x idle for "initforge"; its idle time
within 5% of "unpinned" idle.

    tools/bench/load_speed.py [--build build/release] [--repeats 5]
                              [--extra OMP_WAIT_POLICY=passive]
"""

import argparse
import copy
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OMP_VARIABLES = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OMP_PROC_BIND",
                 "OMP_PLACES", "GOMP_CPU_AFFINITY")
TARGET_LOADED_RATIO = 2.5
TARGET_IDLE_REGRESSION = 1.05


def setting_env(name):
    """The environment of one setting: OpenMP variables removed, then the
    setting's own."""
    env = {k: v for k, v in os.environ.items() if k not in OMP_VARIABLES}
    env.pop("OMP_NUM_THREADS", None)  # the default --threads: every core
    if name == "unpinned":
        env["OMP_PROC_BIND"] = "false"
    elif name != "initforge":
        for assignment in name.split("+"):
            key, _, value = assignment.partition("=")
            env[key] = value
    return env


def write_config(workdir):
    with open(os.path.join(ROOT, "configs", "mlp.json")) as f:
        config = json.load(f)
    config = copy.deepcopy(config)
    config["train"].setdefault("dataset", {})["test_subset"] = 1000
    path = os.path.join(workdir, "mlp.json")
    with open(path, "w") as f:
        json.dump(config, f)
    return path


def epoch_seconds(binary, config, workdir, env):
    run_dir = os.path.join(workdir, "run")
    shutil.rmtree(run_dir, ignore_errors=True)
    proc = subprocess.run(
        [binary, "train", config, "--out", run_dir, "--epochs", "1",
         "--no-plot"],
        capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit("error: initforge train failed:\n" + proc.stderr)
    with open(os.path.join(run_dir, "summary.json")) as f:
        summary = json.load(f)
    return summary["wall_times"]["epochs"][0]["train_seconds"]


def busy_process():
    """One single-threaded busy loop: the 'other work' on the machine."""
    return subprocess.Popen(
        [sys.executable, "-c", "while True: pass"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build", "release"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--extra", default="",
                        help="more settings: NAME=VALUE[+NAME=VALUE...], comma-separated")
    args = parser.parse_args()
    binary = os.path.join(args.build, "initforge")
    if not os.path.exists(binary):
        sys.exit("error: no %s; build it first (tools/build.sh release)" % binary)

    settings = ["initforge", "unpinned"]
    settings += [s for s in args.extra.split(",") if s]
    times = {(s, load): [] for s in settings for load in ("idle", "loaded")}
    loads = []
    with tempfile.TemporaryDirectory(prefix="initforge_load_") as workdir:
        config = write_config(workdir)
        for r in range(args.repeats):
            for s in settings:
                env = setting_env(s)
                times[(s, "idle")].append(epoch_seconds(binary, config, workdir, env))
                busy = busy_process()
                try:
                    times[(s, "loaded")].append(
                        epoch_seconds(binary, config, workdir, env))
                finally:
                    busy.kill()
                    busy.wait()
            loads.append(os.getloadavg()[0])
            print("round %d/%d done (load %.2f)" % (r + 1, args.repeats, loads[-1]),
                  file=sys.stderr)

    median = {k: statistics.median(v) for k, v in times.items()}
    print("mlp.json epoch, default --threads (%d cores), medians of %d, "
          "load average during the run %.2f-%.2f" %
          (os.cpu_count(), args.repeats, min(loads), max(loads)))
    print("%-28s %10s %10s %14s" % ("setting", "idle s", "loaded s", "loaded/idle"))
    for s in settings:
        idle, loaded = median[(s, "idle")], median[(s, "loaded")]
        print("%-28s %10.3f %10.3f %14.2f" % (s, idle, loaded, loaded / idle))
    ratio = median[("initforge", "loaded")] / median[("initforge", "idle")]
    regression = median[("initforge", "idle")] / median[("unpinned", "idle")]
    print("initforge loaded/idle %.2f (target <= %.1f): %s" %
          (ratio, TARGET_LOADED_RATIO, "PASS" if ratio <= TARGET_LOADED_RATIO else "FAIL"))
    print("initforge idle / unpinned idle %.3f (target <= %.2f): %s" %
          (regression, TARGET_IDLE_REGRESSION,
           "PASS" if regression <= TARGET_IDLE_REGRESSION else "FAIL"))


if __name__ == "__main__":
    main()
