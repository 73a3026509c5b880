#!/usr/bin/env bash
# Measures tserve-server through `tserve-client bench` and compares its
# throughput with the engine alone on the same model and inputs.
#
#   bench/serve_bench.sh [--sentences N] [--max_length 32] [--threads 2]
#                        [--compute_type float32] [--concurrencies "1 8 64"]
#                        [--duration_s 30] [--saturation_concurrency 64]
#                        [--saturation_texts 4] [--seed 1] [--no_results] [--results FILE]
#
# Uses the OPUS-MT-sized random model and inputs of compare.sh (bench/work/,
# made when absent), greedy decoding, the first N input sentences (all 500
# when N is 0). Starts tserve-server on free loopback ports, then:
#   - latency: `tserve-client bench` for --duration_s at each concurrency of
#     --concurrencies (one sentence per request, after a warm-up);
#   - saturation: --saturation_concurrency clients with --saturation_texts
#     sentences per request translate the N sentences exactly once;
#   - engine: engine_bench translates the same N sentences (batch 32) with the
#     same threads and max_length, after the server has stopped.
# Greedy outputs do not depend on batching, so the saturation run and the
# engine generate the same target tokens; the script checks that and prints
# server/engine target tokens/s (the goal is >= 0.9), and p50/p99 per
# concurrency. The client runs on the same machine and takes CPU from the
# server: the ratio is a lower bound on a shared machine.
# Appends the table to bench/RESULTS.md (like compare.sh).
#
# A smoke check: bench/serve_bench.sh --sentences 8 --max_length 8
#   --concurrencies "1 4" --duration_s 3 --saturation_concurrency 4 --saturation_texts 2 --no_results
# Environment: BUILD (default build/release) holds the binaries; SERVER,
# CLIENT, ENGINE_BENCH override them one by one; PYTHON (default /usr/bin/python3).
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
PYTHON=${PYTHON:-/usr/bin/python3}
BUILD=${BUILD:-build/release}
SERVER=${SERVER:-$BUILD/server/tserve-server}
CLIENT=${CLIENT:-$BUILD/client/tserve-client}
ENGINE_BENCH=${ENGINE_BENCH:-$BUILD/bench/engine_bench}
WORK=bench/work

SENTENCES=0
MAX_LENGTH=32
THREADS=2
COMPUTE_TYPE=float32
CONCURRENCIES="1 8 64"
DURATION_S=30
SAT_CONCURRENCY=64
SAT_TEXTS=4
SEED=1
WRITE_RESULTS=1
RESULTS=bench/RESULTS.md
COMMAND="bench/serve_bench.sh $*"

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit "${1:-0}"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --sentences) SENTENCES=$2; shift 2 ;;
    --max_length) MAX_LENGTH=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --compute_type) COMPUTE_TYPE=$2; shift 2 ;;
    --concurrencies) CONCURRENCIES=$2; shift 2 ;;
    --duration_s) DURATION_S=$2; shift 2 ;;
    --saturation_concurrency) SAT_CONCURRENCY=$2; shift 2 ;;
    --saturation_texts) SAT_TEXTS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --no_results) WRITE_RESULTS=0; shift ;;
    --results) RESULTS=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "serve_bench.sh: unknown argument '$1'" >&2; usage 1 >&2 ;;
  esac
done

require_binaries serve_bench.sh "BUILD / SERVER / CLIENT / ENGINE_BENCH" \
  "$SERVER" "$CLIENT" "$ENGINE_BENCH"
prepare_model_and_inputs
INPUT=$(first_inputs "$SENTENCES")
N=$(grep -c . "$INPUT")
if [ $((N % SAT_TEXTS)) -ne 0 ]; then
  echo "serve_bench.sh: $N sentences do not split into requests of $SAT_TEXTS" >&2
  exit 1
fi

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RUN=$WORK/serve-$STAMP
mkdir -p "$RUN"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" || true
  fi
  SERVER_PID=""
}
trap stop_server EXIT

echo "== starting tserve-server on $MODEL ($COMPUTE_TYPE, $THREADS threads)"
start_server "$RUN" --model=bench="$MODEL" --compute_type="$COMPUTE_TYPE" --threads="$THREADS" \
  --max_decoding_length="$MAX_LENGTH"

JSONL=$RUN/results.jsonl
: > "$JSONL"
bench() {  # bench LABEL FLAGS... : one tserve-client bench run, its summary appended as {"run": LABEL, ...}
  local label=$1; shift
  echo "== $label  [load $(cut -d' ' -f1 /proc/loadavg)]"
  local line
  line=$("$CLIENT" bench --address="$ADDRESS" --input="$INPUT" --beam_size=1 \
         --max_length="$MAX_LENGTH" --timeout_s=600 --json "$@" | grep '^{' | tail -n 1 || true)
  if [ -z "$line" ]; then echo "serve_bench.sh: $label: no summary from tserve-client bench" >&2; exit 1; fi
  echo "   $line"
  "$PYTHON" -c 'import json, sys; r = json.loads(sys.argv[2]); r["run"] = sys.argv[1]; print(json.dumps(r))' \
    "$label" "$line" >> "$JSONL"
}

for c in $CONCURRENCIES; do
  bench "latency at $c" --concurrency="$c" --duration_s="$DURATION_S" --warmup_requests="$c"
done
bench "saturation" --concurrency="$SAT_CONCURRENCY" --texts_per_request="$SAT_TEXTS" \
  --requests=$((N / SAT_TEXTS)) --warmup_requests="$SAT_CONCURRENCY"
stop_server

echo "== engine_bench on the same $N sentences  [load $(cut -d' ' -f1 /proc/loadavg)]"
ENGINE_LINE=$("$ENGINE_BENCH" --model_dir="$MODEL" --input="$INPUT" --batch_size=32 --beam_size=1 \
              --max_length="$MAX_LENGTH" --compute_type="$COMPUTE_TYPE" --threads="$THREADS" | grep '^{' | tail -n 1)
echo "   $ENGINE_LINE"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

TABLE=$("$PYTHON" - "$JSONL" "$ENGINE_LINE" <<'EOF'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
engine = json.loads(sys.argv[2])
out = ["| run | clients | texts/request | requests | errors | seconds | requests/s | sentences/s "
       "| target tokens/s | p50 ms | p90 ms | p99 ms | max ms |",
       "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
for r in runs:
    l = r["latency_ms"]
    out.append(f"| {r['run']} | {r['concurrency']} | {r['texts_per_request']} | {r['requests']} "
               f"| {r['errors']} | {r['seconds']:.2f} | {r['requests_per_s']:.2f} "
               f"| {r['sentences_per_s']:.2f} | {r['target_tokens_per_s']:.1f} | {l['p50']:.0f} "
               f"| {l['p90']:.0f} | {l['p99']:.0f} | {l['max']:.0f} |")
out.append(f"| engine_bench (batch {engine['batch_size']}) | - | - | - | - | {engine['seconds']:.2f} "
           f"| - | {engine['sentences_per_s']:.2f} | {engine['target_tokens_per_s']:.1f} "
           f"| - | - | - | - |")
sat = next(r for r in runs if r["run"] == "saturation")
ratio = sat["target_tokens_per_s"] / engine["target_tokens_per_s"]
out.append("")
out.append(f"Server at saturation / engine alone, target tokens/s: **{ratio:.2f}** (goal >= 0.9); "
           f"target tokens: server {sat['target_tokens']}, engine {engine['target_tokens']} "
           f"for {engine['sentences']} sentences.")
if sat["target_tokens"] != engine["target_tokens"] or sat["ok_sentences"] != engine["sentences"]:
    out.append("")
    out.append("WARNING: the saturation run and the engine did not translate the same workload "
               "(sentences or target tokens differ).")
if any(r["errors"] for r in runs):
    out.append("")
    out.append("WARNING: some calls failed: " +
               "; ".join(f"{r['run']}: {r['errors_by_code']}" for r in runs if r["errors"]))
print("\n".join(out))
EOF
)

echo
echo "$TABLE"
echo
echo "raw results: $JSONL, server log: $RUN/server.log"

if [ "$WRITE_RESULTS" -eq 1 ]; then
  CPU=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
  COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  if [ -n "$(git status --porcelain 2>/dev/null | head -n 1)" ]; then COMMIT="$COMMIT (with local changes)"; fi
  if [ ! -s "$RESULTS" ]; then
    printf '# Benchmark results\n\nSections appended by `bench/compare.sh` and `bench/serve_bench.sh`, newest last.\n' > "$RESULTS"
  fi
  {
    echo
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — server through tserve-client bench"
    echo
    echo "- Command: \`$COMMAND\`"
    echo "- Workload: $(basename "$MODEL") (OPUS-MT-sized random MarianMT), $N sentences, greedy, max_length $MAX_LENGTH, $COMPUTE_TYPE, server and engine with $THREADS threads; latency runs $DURATION_S s each, one sentence per request; client on the same machine"
    echo "- Machine: $CPU, $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
    echo "- Load average before / after: $LOAD_BEFORE / $LOAD_AFTER"
    echo "- Build: $COMMIT, binaries from $BUILD"
    echo
    echo "$TABLE"
  } >> "$RESULTS"
  echo "appended to $RESULTS"
fi
