#!/usr/bin/env bash
# CTest (with CJSIM_WITH_MPI): `mpirun -np N cjsim run|compare|sweep` gives
# the JSON of one process byte for byte, but for the timing fields
# (wall_seconds, threads) and the command line: two ranks for each command,
# and three ranks for two replications (a rank with none). As root in CI,
# hence --allow-run-as-root; --oversubscribe for machines with fewer cores
# than ranks.
# Usage: two_ranks_equal.sh CJSIM SOURCE_DIR
set -euo pipefail
cjsim=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
scenario="$source_dir/scenarios/nonprofit.textproto"
small=(--agents 600 --horizon-days 365 --seed 5 --quiet)

# The JSON without the lines that may differ.
steady() { grep -v -E '"(wall_seconds|threads|command_line)":' "$1"; }

check() {
  local ranks=$1 name=$2
  shift 2
  "$cjsim" "$@" --json "$work/$name-one.json"
  mpirun -np "$ranks" --allow-run-as-root --oversubscribe "$cjsim" "$@" --json "$work/$name-mpi.json"
  if ! cmp -s <(steady "$work/$name-one.json") <(steady "$work/$name-mpi.json"); then
    echo "FAIL: $name under mpirun -np $ranks differs from one process:" >&2
    diff <(steady "$work/$name-one.json") <(steady "$work/$name-mpi.json") | head -20 >&2
    exit 1
  fi
  echo "ok: $name, $ranks ranks"
}

check 2 run run "$scenario" --replications 4 "${small[@]}"
check 2 compare compare "$scenario" --replications 4 "${small[@]}"
check 2 sweep sweep "$scenario" --replications 3 "${small[@]}" \
  --set 'channels[facebook].weekly_budget=0:700:3'
check 3 run-empty-rank run "$scenario" --replications 2 "${small[@]}"
