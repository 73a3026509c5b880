#!/usr/bin/env bash
# Installs the Debian packages tserve needs. Idempotent: packages already
# installed are skipped, and `apt-get update` runs at most once, only when
# something is missing.
#
#   scripts/install-deps.sh               # everything: build, tests, tools
#   scripts/install-deps.sh --build-only  # only what building tserve-server
#                                         # and tserve-client needs
#
# --build-only is what scripts/serve.sh and the container image's build stage
# use. The top-level CMakeLists.txt finds GoogleTest, Google Benchmark and
# SentencePiece whenever it configures, so their (small) -dev packages are in
# that set too, though the two serving binaries do not link them.
set -euo pipefail

build_only=0
for arg in "$@"; do
  case "${arg}" in
    --build-only) build_only=1 ;;
    -h | --help)
      sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) echo "install-deps: unknown option ${arg} (see --help)" >&2; exit 2 ;;
  esac
done

packages=(
  # build
  build-essential cmake ninja-build pkg-config
  # libraries
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libdnnl-dev ocl-icd-opencl-dev libabsl-dev prometheus-cpp-dev nlohmann-json3-dev
  # found by CMake at configure time (tests, benchmarks, reference tokenizer)
  libgtest-dev libgmock-dev libbenchmark-dev libsentencepiece-dev
)
if ((build_only == 0)); then
  packages+=(
    git sentencepiece
    # tests: real Prometheus server, fuzzing and sanitizer runtimes, TLS certificates
    prometheus clang libclang-rt-14-dev openssl
    # tests: the deployment files (compose, Kubernetes) parsed and checked
    python3-yaml
    # the Python client (client/python; its stubs come from protobuf-compiler-grpc's
    # grpc_python_plugin) and its end-to-end test
    python3-grpcio python3-protobuf
    # tools/: reference implementation, golden data, demo model
    python3 python3-torch python3-numpy python3-sentencepiece
    # demo model corpus: English sentences and their rule-based Spanish translation
    wordnet-base apertium apertium-eng-spa
    # an optimised BLAS for torch (the reference BLAS runs float32 matmuls at ~3 GFLOP/s)
    libopenblas0
  )
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

what="all"
((build_only == 0)) || what="the build's"
if ((${#missing[@]} == 0)); then
  echo "install-deps: ${what} ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
