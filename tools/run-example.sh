#!/usr/bin/env bash
# The README's first command: install what cjsim needs (Debian 12 packages),
# build it, simulate the bundled consumer-brand example scenario, and write
# its report to build/consumer_brand.html. Extra arguments go to
# `cjsim run`, e.g. --variant shop_now_cta.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup-deps.sh --build-only
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target cjsim -j"$(nproc)"
build/tools/cjsim/cjsim run scenarios/consumer_brand.textproto \
  --report build/consumer_brand.html "$@"
echo "report: $(pwd)/build/consumer_brand.html (open it in a browser; it needs no network)" >&2
