#!/usr/bin/env bash
# Configures build-asan/, the one build behind two CI steps: clang with
# AddressSanitizer, UndefinedBehaviorSanitizer and libFuzzer's coverage
# instrumentation on everything (CJSIM_FUZZ), so that the tests run under
# the sanitizers there (tools/run-sanitizers.sh address) and the fuzz
# targets (tools/run-fuzz.sh) link against the same objects: one build
# instead of two. -O1 keeps the sanitizers' reports readable and the build
# short, as do line tables only (-g1: file and line in every stack, no
# variables) and the unity build (tools/run-tests.sh). CJSIM_SANITIZED
# tells the tests that measure memory to stand aside.
# Run from the project's root, after tools/setup-deps.sh.
set -euo pipefail
CC=clang CXX=clang++ cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCJSIM_FUZZ=ON \
  -DCJSIM_BUILD_BENCH=OFF -DCMAKE_UNITY_BUILD=ON -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DCJSIM_WITH_MPI=OFF \
  -DCMAKE_CXX_FLAGS="-DCJSIM_SANITIZED=1" >/dev/null
