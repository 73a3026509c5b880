#!/usr/bin/env bash
# Builds tserve with the given CMake presets (default: release), after making
# sure the Debian packages are installed.
#
#   scripts/build.sh                    # build/release: every target, tests included
#   scripts/build.sh release asan       # also build/asan
#   scripts/build.sh --serving release  # only tserve-server and tserve-client
#                                       # (and the libraries they link), after
#                                       # installing only the build's packages
#
# TSERVE_JOBS sets the build parallelism (default: every core).
set -euo pipefail
cd "$(dirname "$0")/.."

jobs="${TSERVE_JOBS:-$(nproc)}"
serving=0
presets=()
for arg in "$@"; do
  case "${arg}" in
    --serving) serving=1 ;;
    -h | --help)
      sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    -*) echo "build: unknown option ${arg} (see --help)" >&2; exit 2 ;;
    *) presets+=("${arg}") ;;
  esac
done
if ((${#presets[@]} == 0)); then presets=(release); fi

targets=()
if ((serving == 1)); then
  ./scripts/install-deps.sh --build-only
  targets=(--target tserve-server tserve-client)
else
  ./scripts/install-deps.sh
fi
for preset in "${presets[@]}"; do
  echo "build: preset ${preset} (-j${jobs})${targets[*]:+, ${targets[*]:1}}"
  cmake --preset "${preset}"
  cmake --build --preset "${preset}" -j "${jobs}" "${targets[@]}"
done
