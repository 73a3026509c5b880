#!/usr/bin/env bash
# Installs every Debian package tserve needs to build, test and run its tools.
# Idempotent: packages already installed are skipped, and `apt-get update`
# runs at most once, only when something is missing.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config git
  # libraries
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libdnnl-dev ocl-icd-opencl-dev libabsl-dev prometheus-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libsentencepiece-dev sentencepiece nlohmann-json3-dev
  # tests: real Prometheus server, fuzzing and sanitizer runtimes, TLS certificates
  prometheus clang libclang-rt-14-dev openssl
  # tests: the deployment files (compose, Kubernetes) parsed and checked
  python3-yaml
  # tools/: reference implementation, golden data, demo model
  python3 python3-torch python3-numpy python3-sentencepiece
  # demo model corpus: English sentences and their rule-based Spanish translation
  wordnet-base apertium apertium-eng-spa
  # an optimised BLAS for torch (the reference BLAS runs float32 matmuls at ~3 GFLOP/s)
  libopenblas0
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
