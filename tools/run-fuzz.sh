#!/usr/bin/env bash
# Fuzzes every target of tests/fuzz (tests/fuzz/README.md) for
# SECONDS_PER_TARGET seconds each (default 60), as CI does: installs clang
# and libFuzzer if missing, builds the targets with AddressSanitizer and
# UndefinedBehaviorSanitizer in build-asan/ (tools/configure-asan.sh: the
# build whose tests tools/run-sanitizers.sh runs, so after it in CI there
# is nothing left to compile), and runs them, as many at once
# as there are cores, each on a copy of its seed corpus and regression
# inputs in a temporary folder (the source tree is never written).
#
# Exits 0 when every target ran clean; otherwise 1, naming each crashing
# input (kept under build-asan/artifacts/) and how to keep it as a
# regression input. 2 on a usage error.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[1-9][0-9]{0,5}$ ]] || [ $# -gt 1 ]; then
  echo "usage: tools/run-fuzz.sh [SECONDS_PER_TARGET]  (a whole number >= 1; default 60)" >&2
  exit 2
fi

bash tools/setup-deps.sh
bash tools/configure-asan.sh
cmake --build build-asan -j"$(nproc)" --target fuzz_targets

targets=()
for source in tests/fuzz/*_fuzzer.cc; do
  name="$(basename "$source" _fuzzer.cc)"
  targets+=("$name")
done

work="$(mktemp -d "${TMPDIR:-/tmp}/cjsim-fuzz-XXXXXX")"
trap 'rm -rf "$work"' EXIT
artifacts="$PWD/build-asan/artifacts"
export UBSAN_OPTIONS="print_stacktrace=1"

# Runs one target; its log ends with libFuzzer's final statistics.
fuzz_one() {
  local target="$1" dir="$work/$1"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp -r "tests/fuzz/corpus/$target/." "$dir/corpus/"
  if [ -d "tests/fuzz/regressions/$target" ]; then
    cp -r "tests/fuzz/regressions/$target/." "$dir/corpus/"
  fi
  local dictionary="tests/fuzz/dictionaries/$target.dict"
  case "$target" in csv_table | transaction_log | rf_table) dictionary=tests/fuzz/dictionaries/csv.dict ;; esac
  local options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
                 -artifact_prefix="$dir/artifacts/")
  [ -f "$dictionary" ] && options+=(-dict="$dictionary")
  # Room for the library scenarios among the seeds (libFuzzer's default is 4 KB).
  case "$target" in scenario_*) options+=(-max_len=16384) ;; esac
  if "build-asan/tests/fuzz/fuzz_$target" "${options[@]}" "$dir/corpus" >"$dir/log" 2>&1; then
    echo ok >"$dir/status"
  else
    echo failed >"$dir/status"
  fi
}

echo "run-fuzz: ${#targets[@]} targets, ${seconds} s each, $(nproc) at a time" >&2
running=0
for target in "${targets[@]}"; do
  fuzz_one "$target" &
  running=$((running + 1))
  if [ "$running" -ge "$(nproc)" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait

failed=0
printf '%-16s %8s %10s %8s %8s  %s\n' target runs exec/s cov ft result
for target in "${targets[@]}"; do
  dir="$work/$target"
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)"
  speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -1)"
  # The last status line: "#N DONE cov: C ft: F corp: ..." (or the line before a crash).
  last="$(grep -E '^#[0-9]+' "$dir/log" | tail -1 || true)"
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")"
  ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")"
  result="$(cat "$dir/status")"
  printf '%-16s %8s %10s %8s %8s  %s\n' "$target" "${runs:--}" "${speed:--}" "${cov:--}" \
    "${ft:--}" "$result"
  if [ "$result" != ok ]; then
    failed=1
    mkdir -p "$artifacts/$target"
    cp "$dir/log" "$artifacts/$target/log"
    if ! compgen -G "$dir/artifacts/*" >/dev/null; then
      echo "run-fuzz: $target failed without an input to keep (log: $artifacts/$target/log)" >&2
    fi
    for input in "$dir"/artifacts/*; do
      [ -e "$input" ] || continue
      cp "$input" "$artifacts/$target/"
      kept="$artifacts/$target/$(basename "$input")"
      echo "run-fuzz: $target failed on $kept (log: $artifacts/$target/log)" >&2
      echo "  reproduce: build-asan/tests/fuzz/fuzz_$target $kept" >&2
      echo "  once fixed, keep it: cp $kept tests/fuzz/regressions/$target/WHAT_IT_WAS" >&2
    done
  fi
done
exit "$failed"
