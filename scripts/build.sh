#!/usr/bin/env bash
# Builds tserve with the given CMake presets (default: release), after making
# sure the Debian packages are installed.
#
#   scripts/build.sh                 # build/release
#   scripts/build.sh release asan    # also build/asan
#
# TSERVE_JOBS sets the build parallelism (default: every core).
set -euo pipefail
cd "$(dirname "$0")/.."

jobs="${TSERVE_JOBS:-$(nproc)}"
presets=("$@")
if ((${#presets[@]} == 0)); then presets=(release); fi

./scripts/install-deps.sh
for preset in "${presets[@]}"; do
  echo "build: preset ${preset} (-j${jobs})"
  cmake --preset "${preset}"
  cmake --build --preset "${preset}" -j "${jobs}"
done
