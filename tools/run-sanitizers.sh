#!/usr/bin/env bash
# CI's sanitizer step (.ci/run calls it after the README's test command):
#   1. every test under AddressSanitizer and UndefinedBehaviorSanitizer
#      (build-asan/, clang: tools/configure-asan.sh; tools/run-fuzz.sh
#      fuzzes in the same build), any finding failing the run;
#   2. the tests that run the engine and the studies on several threads
#      under ThreadSanitizer (build-tsan/).
# `tools/run-sanitizers.sh address` or `thread` runs one of the two.
# docs/reliability.md says what each proves.
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-all}"
bash tools/setup-deps.sh
jobs="$(nproc)"

# ThreadSanitizer's build: as build-asan's (tools/configure-asan.sh), with gcc.
configure() {  # DIR FLAGS [TARGET...]
  local dir="$1" flags="$2"
  shift 2
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCJSIM_BUILD_BENCH=OFF -DCMAKE_UNITY_BUILD=ON \
    -DCJSIM_WITH_MPI=OFF \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
    -DCMAKE_CXX_FLAGS="$flags -fno-omit-frame-pointer -DCJSIM_SANITIZED=1" \
    -DCMAKE_EXE_LINKER_FLAGS="$flags" >/dev/null
  local targets=()
  for t in "$@"; do targets+=(--target "$t"); done
  cmake --build "$dir" -j"$jobs" "${targets[@]}"
}

if [ "$which" = all ] || [ "$which" = address ]; then
  echo "run-sanitizers: AddressSanitizer + UndefinedBehaviorSanitizer, every test" >&2
  bash tools/configure-asan.sh
  cmake --build build-asan -j"$jobs"
  # The headless-browser checks are left out: they test Chromium's reading
  # of a page the plain run has already checked, and take minutes here. So
  # are the longest statistical and regression checks of the studies'
  # answers (each 15 s to a minute or more here: the CLI's sequential
  # comparison, the optimizer's TikTok and display regressions, its target
  # CPA mode and confirmation on every example, common random numbers on
  # every example, the curves' noisy step, the brute-force grid), and the
  # other checks that take 10 s to a minute here (statistical checks of
  # care, compare and sweep; the examples' warnings; the 1-and-2-thread
  # optimizer and run, which ThreadSanitizer runs; a quadratic-time
  # regression; the progress bar's long run; brute-force and high-precision
  # checks of pure arithmetic; a fit's recovery): they run the same code
  # paths as the kept tests of the same commands (every example and variant
  # still runs here), and the plain build runs them all. CI has 30 minutes.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" \
    -E '^report browser|sequential precision meets|recommended TikTok at mROAS 0.45|kept display at 255|never confirmed worse|target CPA mode|common random numbers cut the variance|does not follow one noisy step|brute-force grid|printed warnings on their default run|removing and re-adding its touchpoint|same recommendation on 1 and 2 threads|care capacity|independent-streams variance|raising a CTA|spent 72k on LinkedIn|two identical channels|conversions:KIND|hint for every unknown reference was quadratic|progress bar on stderr|tables parse on every library scenario|one goal kind of the nonprofit|every KPI the scenario reports traces|1766666.67|zero budget in a sweep or a compare|locked and bounded|pages have their charts|results are identical on 1 and 2 threads|2F1 matches 50-digit|session length: agrees with brute force|Pareto/NBD recovers'
fi

if [ "$which" = all ] || [ "$which" = thread ]; then
  echo "run-sanitizers: ThreadSanitizer, the parallel engine and study tests" >&2
  # -U__SANITIZE_THREAD__: protobuf's headers add fields to map fields
  # under it, which Debian's uninstrumented libprotobuf does not have (a
  # different layout, and a crash); the instrumentation itself stays.
  # CJSIM_TSAN: the engine's parallel loops run on std::threads the tool
  # can follow, as Debian's oneTBB is not instrumented (sim/parallel.h).
  configure build-tsan "-fsanitize=thread -U__SANITIZE_THREAD__ -DCJSIM_TSAN=1" cjsim cjsim_tests
  # Left out: statistical and regression checks of the studies' answers
  # (the optimizer against a brute-force grid, its verification, common
  # random numbers on every example...), each minutes under the tool; the
  # parallel code they run is the same the kept tests run (the optimizer,
  # compare and sweep on 1 and 2 threads), and the plain build runs them.
  # The CLI's sequential comparison on 1 and 2 threads (five minutes under
  # the tool) is left out too: the library's sequential-comparison tests
  # (tests/sim/compare_test.cc) run the same loop on two threads here. So
  # are the CLI's statistical checks (care, the compare table, the
  # streams' variance, the zero-budget sweep), its report and CSV checks,
  # and its optimizer on 1 and 2 threads (70 s under the tool): their
  # parallel code is the kept tests' (the library's optimizer tests run on
  # 2 threads here). CI has 30 minutes.
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1" \
    ctest --test-dir build-tsan --output-on-failure -j"$jobs" \
    -R 'determinism|engine|threads|loyalty|compare|sweep|curves|optimize|signals' \
    -E 'regression: optimize|common random numbers cut|never confirmed worse|target CPA mode|noisy step|brute-force grid|conversions:KIND|two identical channels|raising a CTA|locked and bounded|sequential precision meets|care capacity|independent-streams variance|ranks the arms and shows verdicts|zero budget in a sweep or a compare|^report browser|pages have their charts|every KPI the scenario reports traces|public backlog costs|budget sums to the total|writes the verification|tables parse back|few simulated events at the recommended|same recommendation on 1 and 2 threads'
fi
