#!/usr/bin/env bash
# Quick start: installs the dependencies, builds the release binaries and
# serves on 0.0.0.0 (gRPC 50051, metrics 9091). Arguments go to tserve-server,
# e.g. `scripts/serve.sh --model=opus=/path/to/opus-mt-en-es`.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/build.sh release

args=(--listen_address=0.0.0.0 --grpc_port=50051 --metrics_port=9091)
if [[ -f models/en-es-demo/config.json ]]; then
  args+=(--model=demo=models/en-es-demo)
fi
exec build/release/server/tserve-server "${args[@]}" "$@"
