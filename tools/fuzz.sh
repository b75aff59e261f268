#!/usr/bin/env bash
# Builds the libFuzzer targets (in the asan preset's tree: clang-15, ASan +
# UBSan) and runs each for SECONDS (default 60):
# tools/fuzz.sh [SECONDS [TARGET...]].
# Targets: config weights checkpoint npy idx arg (tests/fuzz/). Seeds come
# from configs/, tests/data and initforge's own writers (fuzz_seeds); the
# growing corpus stays in build/asan/corpus/TARGET. Exits non-zero on any
# finding (crash, leak, sanitizer report, timeout, unexpected exception);
# the input is saved as build/asan/findings/TARGET/crash-* (copy it to
# tests/data/fuzz_regressions/TARGET/ and fix the reader).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(config weights checkpoint npy idx arg)

# Configured exactly as tools/test.sh asan does, so the two share one build.
tools/build.sh asan initforge_fuzzers

build=build/asan
seeds=$build/seeds
rm -rf "$seeds" "$build/findings" "$build/tmp"
mkdir -p "$seeds"/{config,npy} "$build/tmp"
# The targets' scratch files; also where a crashed run's files are left.
export TMPDIR=$PWD/$build/tmp
"$build/fuzz/fuzz_seeds" "$seeds"
# JSON seeds: every config and bad config (names made unique by path).
while IFS= read -r f; do
  cp "$f" "$seeds/config/$(echo "$f" | tr / _)"
done < <(find configs tests/data/bad_configs -name '*.json')
while IFS= read -r f; do
  cp "$f" "$seeds/npy/$(echo "$f" | tr / _)"
done < <(find tests/data -name '*.npy' -size -8k)

# One thread: the readers' work is small and sequential runs reproduce.
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=passive
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
rows=()
for t in "${targets[@]}"; do
  corpus=$build/corpus/$t
  mkdir -p "$corpus" "$build/findings/$t"
  dict=()
  [[ -f tests/fuzz/$t.dict ]] && dict=(-dict="tests/fuzz/$t.dict")
  log=$build/findings/$t/log.txt
  echo "fuzz_$t: ${seconds}s" >&2
  rc=0
  "$build/fuzz/fuzz_$t" "$corpus" "$seeds/$t" "${dict[@]}" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -detect_leaks=1 -print_final_stats=1 \
    -artifact_prefix="$build/findings/$t/" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  result=ok
  if [[ $rc -ne 0 ]]; then
    result="FINDING (exit $rc, $build/findings/$t/)"
    status=1
    grep -m5 -E 'FINDING|ERROR|SUMMARY|runtime error' "$log" >&2 || tail -20 "$log" >&2
  fi
  rows+=("$(printf '%-11s %12s %9s  %s' "$t" "${execs:-?}" "${rate:-?}" "$result")")
done
printf '%-11s %12s %9s  %s\n' target execs exec/s result
printf '%s\n' "${rows[@]}"
exit $status
