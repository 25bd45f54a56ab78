#!/usr/bin/env bash
# Installs exactly the Debian 12 packages cjsim builds and tests with
# (`--build-only`: only what building and running it needs).
# Idempotent: packages already present are not downloaded again, and apt's
# package lists are refreshed only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libboost-graph-dev libboost-math-dev libboost-random-dev
  libtbb-dev
  libprotobuf-dev protobuf-compiler
  libspdlog-dev libfmt-dev
  doctest-dev
  libcli11-dev
  librandom123-dev
  libeigen3-dev
  libnlopt-dev libnlopt-cxx-dev
  libopenmpi-dev openmpi-bin
)
# Needed by the tests only (`setup-deps.sh --build-only` leaves them out): a
# headless browser and a font for tests/browser_check.h (the HTML reports);
# clang and its runtime libraries (libFuzzer, the sanitizers) for
# tools/run-fuzz.sh.
if [ "${1:-}" != "--build-only" ]; then
  packages+=(chromium fonts-dejavu-core clang libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
echo "setup-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
