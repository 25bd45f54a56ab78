#!/usr/bin/env bash
# CTest (with CJSIM_WITH_MPI): `mpirun -np N cjsim run|compare|sweep|curves|
# optimize|calibrate` gives the JSON of one process byte for byte, but for the timing
# fields (wall_seconds, threads) and the command line: two ranks for each
# command, and three ranks for two replications (a rank with none). With
# `studies` as a third argument: curves and optimize (by channel with a
# report's curves and CVaR, by week towards a target) instead. As root in CI,
# hence --allow-run-as-root; --oversubscribe for machines with fewer cores
# than ranks. The sweep, curves and optimize run once more with parameter
# draws (the consumer example with an uncertain act probability).
# With `calibrate`: calibrate, its result and the calibrated scenario.
# Usage: two_ranks_equal.sh CJSIM SOURCE_DIR [studies|calibrate]
set -euo pipefail
cjsim=$1
source_dir=$2
which=${3:-shards}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
scenario="$source_dir/scenarios/nonprofit.textproto"
small=(--agents 600 --horizon-days 365 --seed 5 --quiet)

# The consumer example with one uncertain act probability, for the
# studies' parameter draws.
drawn="$work/drawn.textproto"
{
  cat "$source_dir/scenarios/consumer_brand.textproto"
  echo 'uncertain { path: "touchpoints[product_page].cta.act_probability" beta { a: 40 b: 60 } }'
} >"$drawn"

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

if [[ $which == calibrate ]]; then
  # Every rank runs the whole calibration and shares out each evaluation's
  # replications; the calibrated scenario is compared too (its header
  # comment names the files, which differ).
  brand="$source_dir/scenarios/consumer_brand.textproto"
  printf '%s\n' 'kpi,from,to,value,std_error,variant' \
    'conversions,2026-04-06,2026-04-12,3000,300,' \
    'conversions,2026-04-13,2026-04-19,3500,300,' \
    'paid_exposures:tiktok,2026-04-06,2026-04-12,900000,30000,' \
    'conversions,2026-04-06,2026-05-03,-500,200,no_email' >"$work/obs.csv"
  args=(calibrate "$brand" --observed "$work/obs.csv" --agents 1000 --replications 3 --seed 5
        --quiet --threads 1 --max-evaluations 20
        --free 'channels[tiktok].max_reach=0.05:0.4'
        --free 'touchpoints[product_page].cta.act_probability=0.1:0.8')
  "$cjsim" "${args[@]}" -o "$work/one.textproto" --json "$work/one.json"
  mpirun -np 2 --allow-run-as-root --oversubscribe "$cjsim" "${args[@]}" \
    -o "$work/mpi.textproto" --json "$work/mpi.json"
  # The files named differ; nothing else may.
  same() { grep -v -E '"(wall_seconds|threads|command_line|calibrated_scenario)":|^#' "$1"; }
  if ! cmp -s <(same "$work/one.json") <(same "$work/mpi.json") ||
    ! cmp -s <(same "$work/one.textproto") <(same "$work/mpi.textproto"); then
    echo "FAIL: calibrate under mpirun -np 2 differs from one process:" >&2
    diff <(same "$work/one.json") <(same "$work/mpi.json") | head -20 >&2
    exit 1
  fi
  echo "ok: calibrate, 2 ranks (result and calibrated scenario)"
  exit 0
fi
if [[ $which == studies ]]; then
  # Every rank runs the whole study and shares out each model's
  # replications (tools/cjsim/mpi_study.h).
  brand="$source_dir/scenarios/consumer_brand.textproto"
  season="$source_dir/scenarios/black_friday.textproto"
  few=(--agents 1000 --seed 5 --quiet --threads 1)
  check 2 curves curves "$brand" --replications 3 --points 3 --kpi profit "${few[@]}"
  check 3 curves-empty-rank curves "$brand" --replications 2 --points 3 "${few[@]}"
  check 2 curves-draws curves "$drawn" --replications 4 --parameter-draws 2 --points 3 \
    --channels tiktok "${few[@]}"
  check 2 optimize optimize "$brand" --replications 3 --weekly-budget 40000 \
    --confirm-replications 4 --risk cvar:0.5 --report "$work/optimize.html" "${few[@]}"
  check 2 optimize-draws optimize "$drawn" --replications 4 --parameter-draws 2 \
    --weekly-budget 40000 --confirm-replications 4 "${few[@]}"
  check 2 optimize-by-week optimize "$season" --replications 3 --by-week \
    --total-budget 60000 --objective target:orders_by_cyber_monday \
    --confirm-replications 4 "${few[@]}"
  # Ranks that run different models (here: different seeds) stop, rather
  # than mix their counts, and write nothing.
  tiny=(--agents 300 --replications 2 --points 2 --quiet --json "$work/apart.json")
  if mpirun --allow-run-as-root --oversubscribe -np 1 "$cjsim" curves "$scenario" --seed 5 \
    "${tiny[@]}" : -np 1 "$cjsim" curves "$scenario" --seed 6 "${tiny[@]}" 2>"$work/apart.err" ||
    ! grep -q "runs another model" "$work/apart.err" || [[ -e $work/apart.json ]]; then
    echo "FAIL: ranks running different models were not stopped:" >&2
    cat "$work/apart.err" >&2
    exit 1
  fi
  echo "ok: ranks running different models stop"
  exit 0
fi
check 2 run run "$scenario" --replications 4 "${small[@]}"
check 2 compare compare "$scenario" --replications 4 "${small[@]}"
check 2 sweep sweep "$scenario" --replications 3 "${small[@]}" \
  --set 'channels[facebook].weekly_budget=0:700:3'
check 2 sweep-draws sweep "$drawn" --replications 4 --parameter-draws 2 "${small[@]}" \
  --set 'channels[tiktok].weekly_budget=0:4000:3'
check 3 run-empty-rank run "$scenario" --replications 2 "${small[@]}"
