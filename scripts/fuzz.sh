#!/usr/bin/env bash
# Builds the libFuzzer targets in tests/fuzz with clang and runs each for a bounded time.
#
#   scripts/fuzz.sh [seconds-per-target]     (default 60)
#
# The targets compile the engine sources they exercise directly, so this needs no CMake
# build. Seeds come from tests/fuzz/corpus/<target>; inputs the fuzzer finds go to
# $TSERVE_FUZZ_DIR (default fuzz-out/), so the checked-in seeds stay small. Exits
# non-zero when a target crashes, leaks, hangs or trips a sanitizer; the reproducer is
# left in $TSERVE_FUZZ_DIR/<target>.artifacts/.
set -euo pipefail

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || (( seconds < 1 )); then
  echo "usage: $0 [seconds-per-target]" >&2
  exit 2
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${TSERVE_FUZZ_DIR:-$root/fuzz-out}"
cxx="${TSERVE_FUZZ_CXX:-clang++}"
mkdir -p "$out"

flags=(-std=c++20 -g -O1 -Wall -Wextra -fno-omit-frame-pointer
       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -I"$root")
read -r -a libs <<< "$(pkg-config --libs absl_status absl_statusor absl_strings absl_str_format)"

build() {
  local name="$1"
  shift
  echo "== building $name"
  local sources=()
  for s in "$@"; do sources+=("$root/$s"); done
  "$cxx" "${flags[@]}" "$root/tests/fuzz/$name.cc" "${sources[@]}" "${libs[@]}" -pthread \
    -o "$out/$name"
}

# -timeout turns a slow input into a failure; -rss_limit_mb catches runaway allocation.
run() {
  local name="$1" seeds="$2" dict="$3"
  local work="$out/$name.corpus" artifacts="$out/$name.artifacts"
  mkdir -p "$work" "$artifacts"
  echo "== running $name for ${seconds}s"
  "$out/$name" "$work" "$root/tests/fuzz/corpus/$seeds" \
    -dict="$root/tests/fuzz/$dict" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/" -print_final_stats=1
}

build fuzz_safetensors engine/model/safetensors.cc engine/model/config.cc
build fuzz_config engine/model/config.cc engine/text/vocabulary.cc
build fuzz_torch_checkpoint engine/model/torch_checkpoint.cc engine/model/pickle_reader.cc \
  engine/model/pickle_opcodes.cc engine/model/zip_archive.cc engine/model/mapped_file.cc \
  engine/model/safetensors.cc engine/model/config.cc
build fuzz_sentencepiece engine/model/config.cc engine/text/wire_format.cc \
  engine/text/sentencepiece_model.cc engine/text/utf8.cc engine/text/piece_trie.cc \
  engine/text/precompiled_charsmap.cc engine/text/normalizer.cc engine/text/unigram.cc \
  engine/text/bpe.cc \
  engine/text/sentencepiece.cc

failed=()
run fuzz_safetensors safetensors safetensors.dict || failed+=(fuzz_safetensors)
run fuzz_config config config.dict || failed+=(fuzz_config)
run fuzz_torch_checkpoint torch_checkpoint torch_checkpoint.dict || failed+=(fuzz_torch_checkpoint)
run fuzz_sentencepiece sentencepiece sentencepiece.dict || failed+=(fuzz_sentencepiece)

if (( ${#failed[@]} > 0 )); then
  echo "FAILED: ${failed[*]} (reproducers in $out/*.artifacts/)" >&2
  exit 1
fi
echo "fuzzing passed: no crashes in ${seconds}s per target"
