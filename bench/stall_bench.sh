#!/usr/bin/env bash
# Measures how much long requests hold up short ones: latency of one-word
# Translate calls and inter-token latency of streams, alone and while long
# calls (8 texts of 512 tokens, Encode and Translate in turn) arrive back to
# back, and the long calls' own throughput, for each server configuration.
#
#   bench/stall_bench.sh [--model DIR] [--threads 2] [--duration_s 30] [--repeats 2]
#                        [--budgets "0 32"] [--long_clients 1] [--bench_args "..."]
#                        [--no_results] [--results FILE]
#
# Configurations: one per value of --budgets (--max_encoder_tokens_per_step;
# 0 encodes a whole batch at once), plus "before" when BASE_SERVER names
# another tserve-server binary (e.g. one built from an earlier commit), run
# with its own defaults. Each configuration runs, in turn and --repeats
# times (alternating, since the machine's speed drifts):
#   - alone:  2 short clients, each starting a one-word Translate (the
#             model's default options) every 500 ms whether or not the last
#             was answered, and 1 greedy stream client (max_length 32)
#             pausing 1 s between calls;
#   - loaded: the same plus --long_clients clients sending long calls;
#   - long only: the long clients alone (the throughput slicing costs).
# Prints medians over the repeats: short-call p50/p99, stream inter-token
# p50/p99 and the long calls' source tokens/s (and p50 latency, the steadier
# measure), and appends them to bench/RESULTS.md with the command, the CPU
# (lscpu model name and its AVX-512 flags) and the load average.
# --bench_args passes more flags to stall_bench (e.g. "--short_max_length=8"
# for a random model that never ends a sentence on its own).
# Environment: BUILD (default build/release) holds the binaries; SERVER,
# CLIENT, STALL_BENCH override them one by one; PYTHON (default /usr/bin/python3).
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
PYTHON=${PYTHON:-/usr/bin/python3}
BUILD=${BUILD:-build/release}
SERVER=${SERVER:-$BUILD/server/tserve-server}
CLIENT=${CLIENT:-$BUILD/client/tserve-client}
STALL_BENCH=${STALL_BENCH:-$BUILD/bench/stall_bench}
BASE_SERVER=${BASE_SERVER:-}

MODEL=models/en-es-demo
THREADS=2
DURATION_S=30
REPEATS=2
BUDGETS="0 32"
LONG_CLIENTS=1
BENCH_ARGS=""
WRITE_RESULTS=1
RESULTS=bench/RESULTS.md
COMMAND="bench/stall_bench.sh $*"

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit "${1:-0}"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --model) MODEL=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --duration_s) DURATION_S=$2; shift 2 ;;
    --repeats) REPEATS=$2; shift 2 ;;
    --budgets) BUDGETS=$2; shift 2 ;;
    --long_clients) LONG_CLIENTS=$2; shift 2 ;;
    --bench_args) BENCH_ARGS=$2; shift 2 ;;
    --no_results) WRITE_RESULTS=0; shift ;;
    --results) RESULTS=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "stall_bench.sh: unknown argument '$1'" >&2; usage 1 >&2 ;;
  esac
done

require_binaries stall_bench.sh "BUILD / SERVER / CLIENT / STALL_BENCH" \
  "$SERVER" "$CLIENT" "$STALL_BENCH"
if [ -n "$BASE_SERVER" ]; then require_binaries stall_bench.sh BASE_SERVER "$BASE_SERVER"; fi

RUN=$(mktemp -d "${TMPDIR:-/tmp}/tserve-stall-XXXXXX")
JSONL=$RUN/results.jsonl
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
configs=()
if [ -n "$BASE_SERVER" ]; then configs+=(before); fi
for b in $BUDGETS; do configs+=("$b"); done

# bench_phase CONFIG PHASE ARGS...: one stall_bench run, appended to JSONL.
bench_phase() {
  local config=$1 phase=$2
  shift 2
  local line
  # shellcheck disable=SC2086
  line=$("$STALL_BENCH" --address="$ADDRESS" --duration_s="$DURATION_S" $BENCH_ARGS "$@")
  echo "{\"config\": \"$config\", \"phase\": \"$phase\", \"result\": $line}" >> "$JSONL"
  echo "  $config $phase: $line"
}

for repeat in $(seq "$REPEATS"); do
  for config in "${configs[@]}"; do
    echo "== repeat $repeat, $config"
    binary=$SERVER
    flags=(--model="m=$MODEL" --threads="$THREADS")
    if [ "$config" = before ]; then
      binary=$BASE_SERVER
    else
      flags+=(--max_encoder_tokens_per_step="$config")
    fi
    rm -f "$RUN/ports"
    SERVER=$binary start_server "$RUN" "${flags[@]}"
    bench_phase "$config" alone
    bench_phase "$config" loaded --long_clients="$LONG_CLIENTS"
    bench_phase "$config" long_only --long_clients="$LONG_CLIENTS" --short_clients=0 \
      --stream_clients=0
    kill "$SERVER_PID"
    wait "$SERVER_PID" || true
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

TABLE=$("$PYTHON" - "$JSONL" "${configs[@]}" <<'EOF'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
configs = sys.argv[2:]

def median(config, phase, *path):
    values = []
    for r in rows:
        if r["config"] == config and r["phase"] == phase:
            v = r["result"]
            for key in path:
                v = v[key]
            values.append(v)
    return statistics.median(values) if values else float("nan")

def name(c):
    return "before" if c == "before" else f"--max_encoder_tokens_per_step={c}"

out = ["| server | short p50 / p99 ms, alone | short p50 / p99 ms, loaded | "
       "stream inter-token p50 / p99 ms, alone | loaded | long calls: source tokens/s, "
       "p50 ms (loaded) | long only: source tokens/s, p50 ms |",
       "|---|---:|---:|---:|---:|---:|---:|"]
for c in configs:
    out.append(
        f"| {name(c)} "
        f"| {median(c, 'alone', 'short', 'p50_ms'):.1f} / {median(c, 'alone', 'short', 'p99_ms'):.1f} "
        f"| {median(c, 'loaded', 'short', 'p50_ms'):.1f} / {median(c, 'loaded', 'short', 'p99_ms'):.1f} "
        f"| {median(c, 'alone', 'stream_gap', 'p50_ms'):.1f} / {median(c, 'alone', 'stream_gap', 'p99_ms'):.1f} "
        f"| {median(c, 'loaded', 'stream_gap', 'p50_ms'):.1f} / {median(c, 'loaded', 'stream_gap', 'p99_ms'):.1f} "
        f"| {median(c, 'loaded', 'long_source_tokens_per_s'):.0f}, {median(c, 'loaded', 'long', 'p50_ms'):.0f} "
        f"| {median(c, 'long_only', 'long_source_tokens_per_s'):.0f}, {median(c, 'long_only', 'long', 'p50_ms'):.0f} |")
errors = sum(r["result"]["errors"] for r in rows)
out.append("")
out.append(f"Medians of {len(rows) // (3 * len(configs))} runs per cell; failed calls: {errors}.")
print("\n".join(out))
EOF
)

echo
echo "$TABLE"
echo
echo "raw results: $JSONL"

if [ "$WRITE_RESULTS" -eq 1 ]; then
  CPU=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
  FLAGS=$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|avx512[a-z_]*|amx[a-z_]*)$' | tr '\n' ' ')
  COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  if [ -n "$(git status --porcelain 2>/dev/null | head -n 1)" ]; then COMMIT="$COMMIT (with local changes)"; fi
  {
    echo
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — stall benchmark: short calls beside long ones"
    echo
    echo "- Command: \`$COMMAND\`${BASE_SERVER:+ with BASE_SERVER=$BASE_SERVER}"
    echo "- Workload: $(basename "$MODEL"), server with $THREADS threads, default compute type; 2 short clients each starting a call (\"Hello.\", the model's default options) every 500 ms, 1 greedy stream client (max_length 32) pausing 1 s between calls; $LONG_CLIENTS long client(s) sending 8 texts of 512 tokens back to back, Encode and Translate (max_length 16) in turn; $DURATION_S s per run, client on the same machine${BENCH_ARGS:+; stall_bench $BENCH_ARGS}"
    echo "- Machine: $CPU, $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); CPU flags: ${FLAGS:-none of avx2/avx512/amx}"
    echo "- Load average before / after: $LOAD_BEFORE / $LOAD_AFTER"
    echo "- Build: $COMMIT, binaries from $BUILD"
    echo
    echo "$TABLE"
  } >> "$RESULTS"
  echo "appended to $RESULTS"
fi
