#!/usr/bin/env bash
# The README's second command, and what CI runs: install what cjsim needs
# (Debian 12 packages), build everything with warnings as errors, and run
# every test with CTest. The build is a unity build (CMake batches a
# target's sources into a few files): it compiles in about half the time,
# and a plain `cmake -S . -B DIR` build, where a missing #include shows,
# stays the developers' default.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCJSIM_WERROR=ON -DCMAKE_UNITY_BUILD=ON \
  -DCJSIM_WITH_MPI=ON >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)"
