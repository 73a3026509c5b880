#!/usr/bin/env bash
# Quick start: installs the packages the build needs, builds the release
# tserve-server and tserve-client (only those two and their libraries; the
# tests are scripts/test.sh's) and serves on 0.0.0.0 (gRPC 50051, metrics
# 9091). Arguments go to tserve-server, e.g.
# `scripts/serve.sh --model=opus=/path/to/opus-mt-en-es`.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/build.sh --serving release

args=(--listen_address=0.0.0.0 --grpc_port=50051 --metrics_port=9091)
if [[ -f models/en-es-demo/config.json ]]; then
  args+=(--model=demo=models/en-es-demo)
elif [[ " $* " != *" --model="* ]]; then
  # Until the trained demo model ships, serve one of the small random test
  # models so every RPC can be tried; its output is not meaningful text.
  echo "serve: models/en-es-demo is not built yet; serving the random test model" \
       "tests/data/models/swish-untied-f16 (its translations are noise)" >&2
  args+=(--model=test=tests/data/models/swish-untied-f16)
fi
exec build/release/server/tserve-server "${args[@]}" "$@"
