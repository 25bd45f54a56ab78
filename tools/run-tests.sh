#!/usr/bin/env bash
# The README's second command, and what CI runs: install what cjsim needs
# (Debian 12 packages), build everything with warnings as errors, and run
# every test with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCJSIM_WERROR=ON >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)"
