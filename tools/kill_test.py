#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Kill test of `initforge train`: SIGKILL at random moments, resume, compare.

Trains a short config once without interruption (the reference), then trains
it again while killing the process with SIGKILL after random delays (seeded,
printed; drawn uniformly from late in a whole run's start-up to its end, so
kills land in start-up, training steps, checkpoint writes and the final
writes) and resuming it with --resume after each kill. When a killed
run finishes, its weights.safetensors, metrics.csv (without the wall-time
column) and final checkpoint tensors must equal the reference's bit for bit;
then a fresh run takes the remaining kills, until --kills kills have landed.

After every kill it also checks what the files promise: once a run has
written its first checkpoint, state.safetensors or state.prev.safetensors
holds a complete checkpoint whose CRC-32s (initforge.crc32, checked here
with Python's zlib) match. It reports how many kills landed while a
checkpoint was being written and how many resumes fell back to the previous
checkpoint.

Exit 0 when everything matched, 1 on any difference or unexpected failure,
77 when the dataset is not installed (CTest's SKIP_RETURN_CODE). Python's
standard library only.
"""

import argparse
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

SKIP = 77
CHECKSUM_KEY = "initforge.crc32"


def config_text(args):
    """configs/mlp.json's MLP, checkpointing every few steps."""
    return json.dumps({
        "name": "kill_test_mlp",
        "seed": 7,
        "input": [1, 28, 28],
        "layers": [
            {"name": "flatten", "type": "Flatten"},
            {"name": "fc1", "type": "Linear", "out_features": 256},
            {"name": "relu1", "type": "ReLU"},
            {"name": "fc2", "type": "Linear", "out_features": 128},
            {"name": "relu2", "type": "ReLU"},
            {"name": "fc3", "type": "Linear", "out_features": 10},
        ],
        "train": {
            "dataset": {"name": "fashion-mnist"},
            "epochs": args.epochs,
            "batch_size": 64,
            "eval_batch_size": 256,
            "probe_batch": 64,
            "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9},
            "checkpoint_every": args.checkpoint_every,
        },
    }, indent=2) + "\n"


def read_safetensors(path):
    """(metadata, {name: bytes}) of a safetensors file; ValueError if bad."""
    data = Path(path).read_bytes()
    if len(data) < 8:
        raise ValueError("shorter than the header length")
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        raise ValueError("header length beyond the file")
    header = json.loads(data[8:8 + n])
    metadata = header.pop("__metadata__", {})
    body = data[8 + n:]
    tensors, end = {}, 0
    for name, entry in header.items():
        begin, stop = entry["data_offsets"]
        if stop > len(body):
            raise ValueError(f"tensor {name}: data beyond the file")
        tensors[name] = body[begin:stop]
        end = max(end, stop)
    if end != len(body):
        raise ValueError("data size does not match the header")
    return metadata, tensors


def crc_hex(data):
    return "%08x" % (zlib.crc32(data) & 0xFFFFFFFF)


def verify(path):
    """None when `path` is a complete checkpoint whose checksums match, else
    why not (the same rules as initforge's read_verified_safetensors)."""
    try:
        metadata, tensors = read_safetensors(path)
    except (OSError, ValueError, KeyError) as e:
        return str(e)
    if CHECKSUM_KEY not in metadata:
        return "no " + CHECKSUM_KEY
    stored = json.loads(metadata[CHECKSUM_KEY])
    rest = {k: v for k, v in metadata.items() if k != CHECKSUM_KEY}
    text = json.dumps(rest, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()
    computed = {name: crc_hex(b) for name, b in tensors.items()}
    computed["__metadata__"] = crc_hex(text)
    if stored != computed:
        bad = sorted(k for k in set(stored) | set(computed)
                     if stored.get(k) != computed.get(k))
        return "checksum mismatch: " + ", ".join(bad)
    return None


def metrics_without_seconds(run_dir):
    rows = (Path(run_dir) / "metrics.csv").read_text().splitlines()
    return [",".join(r.split(",")[:-1]) for r in rows]


def temporaries(run_dir):
    """The temporary files of interrupted atomic writes in a run directory."""
    out = []
    for d in (Path(run_dir), Path(run_dir) / "checkpoint"):
        if d.is_dir():
            out += [p for p in d.iterdir() if ".tmp." in p.name]
    return out


class KillTest:
    def __init__(self, args):
        self.args = args
        self.work = Path(args.work)
        self.config = self.work / "kill_test_mlp.json"
        self.env = dict(os.environ, OMP_WAIT_POLICY="passive")
        self.failures = []
        self.sessions = 0

    def command(self, run_dir, resume):
        a = self.args
        where = ["--resume", str(run_dir)] if resume else ["--out", str(run_dir)]
        cmd = [a.initforge, "train", str(self.config), *where, "--no-plot",
               "--threads", str(a.threads), "--train-subset", str(a.train_subset),
               "--test-subset", str(a.test_subset)]
        if a.data_dir:
            cmd += ["--data-dir", a.data_dir]
        return cmd

    def session(self, run_dir, resume, kill_after=None):
        """Runs one `initforge train`, killed with SIGKILL after `kill_after`
        seconds unless it ends first. Returns (exit code, None when killed;
        seconds; seconds until its first checkpoint appeared, or None;
        stderr)."""
        self.sessions += 1
        log = self.work / f"session_{self.sessions:03d}"
        first = run_dir / "checkpoint" / "state.safetensors"
        had_first = first.exists()
        startup = None
        killed = False
        with open(f"{log}.out", "w") as out, open(f"{log}.err", "w") as err:
            begin = time.monotonic()
            proc = subprocess.Popen(self.command(run_dir, resume), stdout=out,
                                    stderr=err, env=self.env)
            while proc.poll() is None:
                now = time.monotonic() - begin
                if kill_after is not None and now >= kill_after:
                    proc.kill()  # SIGKILL
                    proc.wait()
                    killed = True
                    break
                if startup is None and not had_first and first.exists():
                    startup = now
                time.sleep(0.002)
            seconds = time.monotonic() - begin
        code = None if killed else proc.returncode
        return code, seconds, startup, Path(f"{log}.err").read_text()

    def fail(self, message):
        print("FAIL: " + message, flush=True)
        self.failures.append(message)

    def compare(self, run_dir, reference):
        """Bit-for-bit comparison of a finished run with the reference."""
        same = True
        for name in ("weights.safetensors",):
            if (run_dir / name).read_bytes() != (reference / name).read_bytes():
                self.fail(f"{run_dir / name} differs from the uninterrupted run's")
                same = False
        if metrics_without_seconds(run_dir) != metrics_without_seconds(reference):
            self.fail(f"{run_dir}/metrics.csv differs from the uninterrupted run's")
            same = False
        ckpt = "checkpoint/state.safetensors"
        for d in (run_dir, reference):
            why = verify(d / ckpt)
            if why:
                self.fail(f"{d / ckpt}: {why}")
                return False
        if read_safetensors(run_dir / ckpt)[1] != read_safetensors(reference / ckpt)[1]:
            self.fail(f"{run_dir / ckpt}: tensors differ from the uninterrupted run's")
            same = False
        left = temporaries(run_dir)
        if left:
            self.fail(f"temporary files left in a finished run: {left}")
            same = False
        return same

    def after_kill(self, run_dir):
        """What the kill left; checks that one good checkpoint exists."""
        ckpt = run_dir / "checkpoint"
        latest, previous = ckpt / "state.safetensors", ckpt / "state.prev.safetensors"
        temp = any(p.parent == ckpt and p.name.startswith(".state.safetensors.tmp.")
                   for p in temporaries(run_dir))
        started = (run_dir / "summary.json").exists()
        state = {}
        for name, path in (("latest", latest), ("previous", previous)):
            state[name] = "missing" if not path.exists() else (verify(path) or "ok")
        if started and "ok" not in state.values():
            self.fail(f"{run_dir}: no verified checkpoint after a kill: {state}")
        return temp, started, state

    def run(self):
        a = self.args
        self.work.mkdir(parents=True, exist_ok=True)
        self.config.write_text(config_text(a))
        reference = self.work / "reference"
        code, seconds, startup, err = self.session(reference, resume=False)
        if code != 0:
            print(f"kill_test: the uninterrupted run failed (exit {code}):\n"
                  + err)
            return 1
        print(f"kill test: seed {a.seed}, {a.kills} kills; uninterrupted run "
              f"{seconds:.2f} s, first checkpoint after {startup or 0:.2f} s "
              f"({a.epochs} epochs of {a.train_subset} samples, checkpoint "
              f"every {a.checkpoint_every} steps, {a.threads} thread(s))",
              flush=True)
        rng = random.Random(a.seed)
        landed = during_write = latest_missing = before_first = 0
        fallbacks = rounds = 0
        while landed < a.kills:
            rounds += 1
            if rounds > 3 * a.kills + 3:
                self.fail(f"only {landed} kills landed in {rounds - 1} runs: "
                          "the runs end before the drawn delays")
                return 1
            run_dir = self.work / f"run_{rounds}"
            fresh = True
            while True:
                resume = (run_dir / "checkpoint").exists() or \
                    (run_dir / "summary.json").exists()
                # Uniform from late in start-up (data loading, initialization)
                # to the end of a whole run: few kills are wasted where
                # nothing is written yet.
                earliest = 0.8 * (startup or 0.0)
                delay = (rng.uniform(earliest, seconds)
                         if landed < a.kills else None)
                code, took, first, err = self.session(run_dir, resume, delay)
                fallbacks += err.count("resuming from the previous checkpoint")
                if code is None:
                    landed += 1
                    temp, started, state = self.after_kill(run_dir)
                    during_write += temp
                    latest_missing += state["latest"] == "missing" and started
                    before_first += not started
                    print(f"kill {landed:2d}/{a.kills}: run {rounds}, after "
                          f"{delay:.3f} s: "
                          + ("at start-up (no summary.json yet); "
                             if not started else "")
                          + ("while writing a checkpoint (temporary file left); "
                             if temp else "")
                          + f"state.safetensors {state['latest']}, "
                          f"state.prev.safetensors {state['previous']}",
                          flush=True)
                    fresh = False
                    continue
                if code != 0:
                    self.fail(f"a session of run {rounds} exited {code}:\n{err}")
                    return 1
                if fresh and first is not None:
                    # A whole run ended before its kill (the machine got
                    # faster): later delays follow its timing.
                    seconds, startup = took, first
                    print(f"run {rounds} ended before its kill after "
                          f"{took:.2f} s; later delays use that length",
                          flush=True)
                break
            same = self.compare(run_dir, reference)
            print(f"run {rounds} finished: "
                  f"{'identical to' if same else 'DIFFERENT from'} the "
                  "uninterrupted run (weights.safetensors, metrics.csv, "
                  "checkpoint tensors)", flush=True)
        print(f"{landed} kills in {rounds} run(s): {before_first} at start-up "
              f"(no summary.json yet), {during_write} while a checkpoint was "
              f"being written; {latest_missing} left state.safetensors missing "
              f"and {fallbacks} resume(s) fell back to state.prev.safetensors")
        if self.failures:
            print(f"kill test FAILED: {len(self.failures)} problem(s)")
            return 1
        print("kill test passed: every run ended bit for bit as the "
              "uninterrupted one")
        return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--initforge", required=True, help="the initforge binary")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the kill delays (default: random, printed)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--train-subset", type=int, default=4096)
    parser.add_argument("--test-subset", type=int, default=512)
    parser.add_argument("--checkpoint-every", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--data-dir", default=None,
                        help="Fashion-MNIST IDX files (default: Debian's)")
    parser.add_argument("--work", default=None,
                        help="an empty or new directory for the runs and logs "
                             "(default: a temporary one, removed when the "
                             "test passes)")
    args = parser.parse_args()
    data = Path(args.data_dir or "/usr/share/datasets/fashion-mnist")
    if not (data / "train-images-idx3-ubyte.gz").exists():
        print(f"kill_test: no dataset in {data}; skipped")
        return SKIP
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(2**31)
    temporary = args.work is None
    if temporary:
        args.work = tempfile.mkdtemp(prefix="initforge_kill_test_")
    elif Path(args.work).exists() and any(Path(args.work).iterdir()):
        print(f"kill_test: --work {args.work} is not empty")
        return 1
    code = KillTest(args).run()
    if code == 0 and temporary:
        shutil.rmtree(args.work)
    elif code != 0:
        print(f"runs and session logs kept in {args.work}")
    return code


if __name__ == "__main__":
    sys.exit(main())
