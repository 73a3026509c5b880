#!/usr/bin/env bash
# Compares tserve's engine with the PyTorch reference (tools/) on one workload.
#
#   bench/compare.sh [--sentences N] [--reference_sentences M] [--max_length 32]
#                    [--batch_size 32] [--beams "1 4"] [--compute_types "float32 bfloat16 int8"]
#                    [--reference_modes "float32 bfloat16"] [--threads 2] [--repeat 1] [--seed 1]
#                    [--no_results] [--results FILE]
#
# Makes the OPUS-MT-sized random model and the 500 input sentences under
# bench/work/ when absent (bench/make_bench_model.py, bench/make_inputs.py),
# then runs on the same sentences, for each beam size (1 = greedy):
#   - engine_bench ($ENGINE_BENCH, default build/release/bench/engine_bench) for
#     each compute type; a type it answers with exit status 2 ("not available in
#     this build / on this CPU") is skipped with a note;
#   - tools/reference_bench.py in each reference mode (float32; bfloat16 =
#     torch.autocast bf16 + inference mode);
# all with batch size 32 in file order, --ignore_eos and a fixed --max_length,
# so every run generates sentences x max_length target tokens. Prints a table
# (target tokens/s, ratio to the reference's fastest mode and to reference
# float32 at the same beam size, peak RSS, load time) and appends it with the
# machine and the command to bench/RESULTS.md.
#
# Then the encoder alone: engine_bench --encoder_batch 32 --encoder_tokens 64
# for each compute type, against the matrix-multiply peak of the same data
# type measured by oneDNN's matmul in the same run ($MATMUL_PEAK, default
# build/release/bench/matmul_peak): GFLOP/s and the fraction of that peak.
#
# --sentences N uses the first N input sentences for every run;
# --reference_sentences M the first M for the reference only (it is slow;
# rates are per generated token, so they stay comparable).
# --repeat R runs every configuration R times and reports the fastest run
# (the machine may be shared: the load average is logged before every run).
# Environment: ENGINE_BENCH, MATMUL_PEAK, PYTHON (default /usr/bin/python3).
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
PYTHON=${PYTHON:-/usr/bin/python3}
ENGINE_BENCH=${ENGINE_BENCH:-build/release/bench/engine_bench}
MATMUL_PEAK=${MATMUL_PEAK:-$(dirname "$ENGINE_BENCH")/matmul_peak}
WORK=bench/work

SENTENCES=0
REF_SENTENCES=0
MAX_LENGTH=32
BATCH_SIZE=32
BEAMS="1 4"
COMPUTE_TYPES="float32 bfloat16 int8"
REF_MODES="float32 bfloat16"
THREADS=2
REPEAT=1
SEED=1
WRITE_RESULTS=1
RESULTS=bench/RESULTS.md
COMMAND="bench/compare.sh $*"

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit "${1:-0}"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --sentences) SENTENCES=$2; shift 2 ;;
    --reference_sentences) REF_SENTENCES=$2; shift 2 ;;
    --max_length) MAX_LENGTH=$2; shift 2 ;;
    --batch_size) BATCH_SIZE=$2; shift 2 ;;
    --beams) BEAMS=$2; shift 2 ;;
    --compute_types) COMPUTE_TYPES=$2; shift 2 ;;
    --reference_modes) REF_MODES=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --no_results) WRITE_RESULTS=0; shift ;;
    --results) RESULTS=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "compare.sh: unknown argument '$1'" >&2; usage 1 >&2 ;;
  esac
done

prepare_model_and_inputs
ENGINE_INPUT=$(first_inputs "$SENTENCES")
if [ "$REF_SENTENCES" -gt 0 ]; then REF_INPUT=$(first_inputs "$REF_SENTENCES"); else REF_INPUT=$ENGINE_INPUT; fi

REPEAT_TAG=""
if [ "$REPEAT" -gt 1 ]; then REPEAT_TAG=1; fi
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
JSONL=$WORK/run-$STAMP.jsonl
NOTES=$WORK/run-$STAMP.notes
: > "$JSONL"
: > "$NOTES"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

machine_load() {  # the 1-minute load average and, where the kernel has it, CPU pressure
  local psi=""
  if [ -r /proc/pressure/cpu ]; then psi=", cpu pressure $(sed -n 's/^some avg10=\([0-9.]*\).*/\1/p' /proc/pressure/cpu)%"; fi
  echo "load $(cut -d' ' -f1 /proc/loadavg)$psi"
}

run_one() {  # run_one LABEL CMD... : appends the JSON line of each repetition, or a note
  local label=$1; shift
  local err=$WORK/run-$STAMP.stderr rep rc out line
  for rep in $(seq "$REPEAT"); do
    echo "== $label${REPEAT_TAG:+ (run $rep of $REPEAT)}  [$(machine_load)]"
    rc=0
    out=$("$@" 2> "$err") || rc=$?
    if [ "$rc" -eq 2 ]; then
      local why
      why=$(tail -n 1 "$err")
      echo "   skipped (not available): $why"
      printf -- '- %s: skipped, not available (exit 2): %s\n' "$label" "$why" >> "$NOTES"
      break
    elif [ "$rc" -ne 0 ]; then
      echo "   FAILED (exit $rc):"
      sed 's/^/     /' "$err" | tail -n 20
      printf -- '- %s: FAILED with exit status %d: %s\n' "$label" "$rc" "$(tail -n 1 "$err")" >> "$NOTES"
      break
    fi
    line=$(printf '%s\n' "$out" | grep '^{' | tail -n 1 || true)
    if [ -z "$line" ]; then
      echo "   FAILED: no JSON line in the output"
      printf -- '- %s: FAILED, no JSON line in the output\n' "$label" >> "$NOTES"
      break
    fi
    echo "   $line"
    printf '%s\n' "$line" >> "$JSONL"
  done
  rm -f "$err"
}

if [ ! -x "$ENGINE_BENCH" ]; then
  echo "compare.sh: no engine_bench at $ENGINE_BENCH (build the repo or set ENGINE_BENCH)" >&2
  printf -- '- engine_bench not found at %s: engine not measured\n' "$ENGINE_BENCH" >> "$NOTES"
fi

for beam in $BEAMS; do
  if [ -x "$ENGINE_BENCH" ]; then
    for ct in $COMPUTE_TYPES; do
      run_one "tserve $ct beam $beam" "$ENGINE_BENCH" --model_dir="$MODEL" --input="$ENGINE_INPUT" \
        --batch_size="$BATCH_SIZE" --beam_size="$beam" --max_length="$MAX_LENGTH" --ignore_eos \
        --compute_type="$ct" --threads="$THREADS"
    done
  fi
  for mode in $REF_MODES; do
    run_one "reference $mode beam $beam" "$PYTHON" tools/reference_bench.py --model_dir "$MODEL" \
      --input "$REF_INPUT" --batch_size "$BATCH_SIZE" --beam_size "$beam" --max_length "$MAX_LENGTH" \
      --ignore_eos --compute_type "$mode" --threads "$THREADS"
  done
done

# The encoder against the machine's matmul peak per data type.
ENCODER_JSONL=$WORK/run-$STAMP.encoder.jsonl
: > "$ENCODER_JSONL"
if [ -x "$ENGINE_BENCH" ] && [ -x "$MATMUL_PEAK" ]; then
  echo "== oneDNN matmul peak per data type  [$(machine_load)]"
  "$MATMUL_PEAK" | tee -a "$ENCODER_JSONL" | sed 's/^/   /'
  for ct in $COMPUTE_TYPES; do
    echo "== tserve $ct encoder, batch 32 x 64 tokens  [$(machine_load)]"
    out=$("$ENGINE_BENCH" --model_dir="$MODEL" --compute_type="$ct" --threads="$THREADS" \
      --encoder_batch=32 --encoder_tokens=64 --encoder_seconds=3 2>&1 | grep '^{' || true)
    echo "   $out"
    [ -n "$out" ] && printf '%s\n' "$out" >> "$ENCODER_JSONL"
  done
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

TABLE=$("$PYTHON" - "$JSONL" <<'EOF'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
best, count = {}, {}
for r in runs:  # the fastest of the repetitions of each configuration, in first-run order
    key = (r["engine"], r["compute_type"], r["beam_size"])
    count[key] = count.get(key, 0) + 1
    if key not in best or r["target_tokens_per_s"] > best[key]["target_tokens_per_s"]:
        best[key] = r
rows = list(best.values())
if not rows:
    print("(no results)")
    sys.exit(0)
out = ["| engine | compute type | beam | sentences | target tokens | seconds | target tokens/s "
       "| vs ref fastest | vs ref float32 | peak RSS MB | load s |",
       "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
for beam in sorted({r["beam_size"] for r in rows}):
    group = [r for r in rows if r["beam_size"] == beam]
    refs = [r for r in group if r["engine"] == "reference"]
    fastest = max(refs, key=lambda r: r["target_tokens_per_s"]) if refs else None
    ref32 = next((r for r in refs if r["compute_type"] == "float32"), None)
    for r in group:
        rate = r["target_tokens_per_s"]
        vs_fast = f"{rate / fastest['target_tokens_per_s']:.2f}x" if fastest else "-"
        vs_32 = f"{rate / ref32['target_tokens_per_s']:.2f}x" if ref32 else "-"
        name = r["compute_type"] + (" (autocast)" if r["engine"] == "reference" and
                                    r["compute_type"] == "bfloat16" else "")
        out.append(f"| {r['engine']} | {name} | {beam} | {r['sentences']} | {r['target_tokens']} "
                   f"| {r['seconds']:.2f} | {rate:.1f} | {vs_fast} | {vs_32} | {r['peak_rss_mb']:.0f} "
                   f"| {r['load_seconds']:.2f} |")
    if fastest:
        out.append(f"| | *reference fastest at beam {beam}: {fastest['compute_type']}* | | | | | | | | | |")
if max(count.values()) > 1:
    out.append("")
    out.append(f"Fastest of {max(count.values())} runs per configuration.")
per_sentence = {r["target_tokens"] / r["sentences"] for r in rows if r["sentences"]}
if len(per_sentence) > 1:
    out.append("")
    out.append(f"WARNING: runs generated different tokens per sentence: {sorted(per_sentence)}")
print("\n".join(out))
EOF
)

ENCODER_TABLE=$("$PYTHON" - "$ENCODER_JSONL" <<'EOF2'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
peaks = {l["type"]: l for l in lines if "available" in l}
runs = [l for l in lines if l.get("benchmark") == "encoder"]
if not runs:
    sys.exit(0)
out = ["| compute type | encoder GFLOP/s (32 x 64 tokens) | oneDNN matmul peak, same type | fraction of peak |",
       "|---|---:|---:|---:|"]
for r in runs:
    peak = peaks.get(r["compute_type"])
    if peak and peak["available"]:
        out.append(f"| {r['compute_type']} | {r['gflops']:.1f} | {peak['gflops']:.1f} ({peak['implementation']}) "
                   f"| {100 * r['gflops'] / peak['gflops']:.0f}% |")
    else:
        out.append(f"| {r['compute_type']} | {r['gflops']:.1f} | not available on this CPU | - |")
for t, p in peaks.items():
    if not p["available"]:
        out.append("")
        out.append(f"oneDNN has no {t} matmul on this CPU ({p.get('reason', '')}).")
print("\n".join(out))
EOF2
)

echo
echo "$TABLE"
if [ -n "$ENCODER_TABLE" ]; then echo; echo "$ENCODER_TABLE"; fi
if [ -s "$NOTES" ]; then echo; cat "$NOTES"; fi
echo
echo "raw results: $JSONL"

if [ "$WRITE_RESULTS" -eq 1 ]; then
  CPU=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
  FLAGS=$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' |
          grep -E '^(avx2|fma|f16c|avx_vnni|avx512[a-z0-9_]*|amx[a-z0-9_]*)$' | sort -u | tr '\n' ' ')
  case "$FLAGS" in
    *avx512*|*amx*) WIDE="" ;;
    *) WIDE=" (no AVX-512, no AMX)" ;;
  esac
  COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  if [ -n "$(git status --porcelain 2>/dev/null | head -n 1)" ]; then COMMIT="$COMMIT (with local changes)"; fi
  TORCH=$("$PYTHON" -c 'import torch; print(torch.__version__)' 2>/dev/null || echo "?")
  BLAS=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo "?")
  if [ ! -s "$RESULTS" ]; then
    printf '# Benchmark results\n\nSections appended by `bench/compare.sh`, newest last.\n' > "$RESULTS"
  fi
  {
    echo
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- Command: \`$COMMAND\`"
    echo "- Workload: $(basename "$MODEL") (OPUS-MT-sized random MarianMT: d_model 512, 6+6 layers, vocabulary 58101), batch $BATCH_SIZE in file order, --ignore_eos, max_length $MAX_LENGTH, engine on $(wc -l < "$ENGINE_INPUT") sentences, reference on $(wc -l < "$REF_INPUT") sentences, $THREADS threads, best of $REPEAT run(s)"
    echo "- Machine: $CPU, $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); flags: ${FLAGS% }$WIDE"
    echo "- Load average before / after: $LOAD_BEFORE / $LOAD_AFTER"
    echo "- Build: $COMMIT, engine_bench $ENGINE_BENCH; reference: torch $TORCH, BLAS $BLAS"
    echo
    echo "$TABLE"
    if [ -n "$ENCODER_TABLE" ]; then echo; echo "$ENCODER_TABLE"; fi
    if [ -s "$NOTES" ]; then echo; cat "$NOTES"; fi
  } >> "$RESULTS"
  echo "appended to $RESULTS"
fi
