#!/usr/bin/env bash
# Soak test: a long mixed load on tserve-server while its resident memory is
# watched.
#
#   bench/soak.sh [--duration_s 600] [--warmup_s 60] [--sample_s 5] [--concurrency 64]
#                 [--mix translate:6,stream:2,encode:2] [--cancel_fraction 0.05]
#                 [--short_deadline_fraction 0.05] [--short_deadline_ms 100]
#                 [--max_length 32] [--threads 2] [--max_growth_pct 5] [--seed 1]
#                 [--no_results] [--results FILE]
#
# Starts tserve-server on the OPUS-MT-sized random model of compare.sh
# (bench/work/, made when absent) and runs `tserve-client bench` for
# --duration_s with --concurrency clients making the --mix of Translate,
# TranslateStream and Encode calls, some cancelled mid-flight and some with a
# short deadline (their CANCELLED and DEADLINE_EXCEEDED are expected). Every
# --sample_s seconds it reads the server's VmRSS from /proc. The baseline is
# the first sample after --warmup_s; growth is the last sample over it.
# Afterwards the server must still be SERVING, then exit 0 on SIGTERM.
#
# Passes (exit 0) when no call failed unexpectedly, RSS grew by at most
# --max_growth_pct, and the server stayed healthy; exit 1 otherwise.
# Appends a summary to bench/RESULTS.md.
#
# A smoke check: bench/soak.sh --duration_s 20 --warmup_s 5 --sample_s 1 --concurrency 8
#   --max_length 8 --no_results
# Environment: BUILD (default build/release) holds the binaries; SERVER and
# CLIENT override them; PYTHON (default /usr/bin/python3).
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
PYTHON=${PYTHON:-/usr/bin/python3}
BUILD=${BUILD:-build/release}
SERVER=${SERVER:-$BUILD/server/tserve-server}
CLIENT=${CLIENT:-$BUILD/client/tserve-client}
WORK=bench/work

DURATION_S=600
WARMUP_S=60
SAMPLE_S=5
CONCURRENCY=64
MIX=translate:6,stream:2,encode:2
CANCEL_FRACTION=0.05
DEADLINE_FRACTION=0.05
DEADLINE_MS=100
MAX_LENGTH=32
THREADS=2
MAX_GROWTH_PCT=5
SEED=1
WRITE_RESULTS=1
RESULTS=bench/RESULTS.md
COMMAND="bench/soak.sh $*"

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit "${1:-0}"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --duration_s) DURATION_S=$2; shift 2 ;;
    --warmup_s) WARMUP_S=$2; shift 2 ;;
    --sample_s) SAMPLE_S=$2; shift 2 ;;
    --concurrency) CONCURRENCY=$2; shift 2 ;;
    --mix) MIX=$2; shift 2 ;;
    --cancel_fraction) CANCEL_FRACTION=$2; shift 2 ;;
    --short_deadline_fraction) DEADLINE_FRACTION=$2; shift 2 ;;
    --short_deadline_ms) DEADLINE_MS=$2; shift 2 ;;
    --max_length) MAX_LENGTH=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --max_growth_pct) MAX_GROWTH_PCT=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --no_results) WRITE_RESULTS=0; shift ;;
    --results) RESULTS=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "soak.sh: unknown argument '$1'" >&2; usage 1 >&2 ;;
  esac
done

require_binaries soak.sh "BUILD / SERVER / CLIENT" "$SERVER" "$CLIENT"
prepare_model_and_inputs

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RUN=$WORK/soak-$STAMP
mkdir -p "$RUN"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

SERVER_PID=""
BENCH_PID=""
cleanup() {
  if [ -n "$BENCH_PID" ] && kill -0 "$BENCH_PID" 2>/dev/null; then kill -TERM "$BENCH_PID" || true; fi
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill -KILL "$SERVER_PID" || true; fi
}
trap cleanup EXIT

echo "== starting tserve-server on $MODEL ($THREADS threads)"
start_server "$RUN" --model=bench="$MODEL" --threads="$THREADS" --max_decoding_length="$MAX_LENGTH"

rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$SERVER_PID/status"; }

echo "== soak: $CONCURRENCY clients for ${DURATION_S}s, mix $MIX, cancel $CANCEL_FRACTION, short deadline $DEADLINE_FRACTION (${DEADLINE_MS}ms)"
# The normal deadline is long: 64 clients on a small machine queue for a while.
"$CLIENT" bench --address="$ADDRESS" --input="$INPUTS" --concurrency="$CONCURRENCY" \
  --duration_s="$DURATION_S" --mix="$MIX" --cancel_fraction="$CANCEL_FRACTION" \
  --short_deadline_fraction="$DEADLINE_FRACTION" --short_deadline_ms="$DEADLINE_MS" \
  --beam_size=1 --max_length="$MAX_LENGTH" --timeout_s=300 --json \
  > "$RUN/bench.json" 2> "$RUN/bench.err" &
BENCH_PID=$!

SAMPLES=$RUN/rss.tsv
printf 'seconds\trss_kb\n' > "$SAMPLES"
START=$(date +%s)
while kill -0 "$BENCH_PID" 2>/dev/null; do
  printf '%d\t%s\n' "$(( $(date +%s) - START ))" "$(rss_kb)" >> "$SAMPLES"
  sleep "$SAMPLE_S"
done
BENCH_RC=0
wait "$BENCH_PID" || BENCH_RC=$?
BENCH_PID=""
printf '%d\t%s\n' "$(( $(date +%s) - START ))" "$(rss_kb)" >> "$SAMPLES"

HEALTH=$("$CLIENT" health --address="$ADDRESS" --timeout_s=10 2>&1 || true)
kill -TERM "$SERVER_PID"
SERVER_RC=0
wait "$SERVER_PID" || SERVER_RC=$?
SERVER_PID=""
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

SUMMARY_RC=0
SUMMARY=$("$PYTHON" - "$RUN/bench.json" "$SAMPLES" "$WARMUP_S" "$MAX_GROWTH_PCT" "$BENCH_RC" \
          "$HEALTH" "$SERVER_RC" <<'EOF'
import json, sys
bench_path, samples_path, warmup_s, max_growth = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
bench_rc, health, server_rc = int(sys.argv[5]), sys.argv[6].strip(), int(sys.argv[7])
lines = [l for l in open(bench_path) if l.startswith("{")]
summary = json.loads(lines[-1]) if lines else None
samples = [(float(t), int(kb)) for t, kb in
           (l.split("\t") for l in open(samples_path).read().splitlines()[1:]) if kb.strip()]
after = [s for s in samples if s[0] >= warmup_s]
out, ok = [], True
if summary is None:
    out.append("- tserve-client bench printed no summary (exit status %d)" % bench_rc)
    ok = False
else:
    l = summary["latency_ms"]
    by_code = ", ".join(f"{code} {c['expected']} expected / {c['unexpected']} unexpected"
                        for code, c in summary["errors_by_code"].items()) or "none"
    out.append(f"- Calls: {summary['requests']} in {summary['seconds']:.0f} s, {summary['ok']} ok, "
               f"{summary['expected_errors']} expected errors, "
               f"**{summary['unexpected_errors']} unexpected errors**; by code: {by_code}")
    out.append(f"- Provoked: {summary['cancel_attempts']} cancelled, "
               f"{summary['short_deadline_calls']} with a short deadline")
    out.append(f"- Throughput: {summary['requests_per_s']:.2f} requests/s, "
               f"{summary['sentences_per_s']:.2f} sentences/s, "
               f"{summary['target_tokens_per_s']:.1f} target tokens/s; latency ms p50 {l['p50']:.0f}, "
               f"p90 {l['p90']:.0f}, p99 {l['p99']:.0f}, max {l['max']:.0f}")
    per_rpc = "; ".join(f"{rpc} {r['requests']} calls, p50 {r['latency_ms']['p50']:.0f} ms, "
                        f"p99 {r['latency_ms']['p99']:.0f} ms" for rpc, r in summary["rpcs"].items())
    out.append(f"- Per RPC: {per_rpc}")
    if summary["unexpected_errors"] or bench_rc != 0:
        ok = False
if len(after) >= 2:
    base, last = after[0][1], after[-1][1]
    peak = max(kb for _, kb in after)
    growth = 100.0 * (last - base) / base
    out.append(f"- Server RSS: {samples[0][1] / 1024:.0f} MiB at start, {base / 1024:.0f} MiB after "
               f"{after[0][0]:.0f} s warm-up, {last / 1024:.0f} MiB at the end, peak "
               f"{peak / 1024:.0f} MiB after warm-up: **growth {growth:+.1f}%** (limit {max_growth:g}%), "
               f"{len(samples)} samples")
    if growth > max_growth:
        ok = False
else:
    out.append("- Server RSS: too few samples after the warm-up to judge growth")
    ok = False
out.append(f"- After the load: health {health or '?'}, exit status on SIGTERM {server_rc}")
if health != "SERVING" or server_rc != 0:
    ok = False
out.append(f"- Verdict: **{'PASS' if ok else 'FAIL'}**")
print("\n".join(out))
sys.exit(0 if ok else 1)
EOF
) || SUMMARY_RC=$?

echo
echo "$SUMMARY"
echo
echo "bench summary: $RUN/bench.json, RSS samples: $SAMPLES, server log: $RUN/server.log"
if [ -s "$RUN/bench.err" ]; then echo "bench stderr:"; sed 's/^/  /' "$RUN/bench.err" | tail -n 5; fi

if [ "$WRITE_RESULTS" -eq 1 ]; then
  CPU=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
  COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  if [ -n "$(git status --porcelain 2>/dev/null | head -n 1)" ]; then COMMIT="$COMMIT (with local changes)"; fi
  {
    echo
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — soak"
    echo
    echo "- Command: \`$COMMAND\`"
    echo "- Workload: $(basename "$MODEL") (OPUS-MT-sized random MarianMT), $CONCURRENCY clients for ${DURATION_S} s, mix $MIX, greedy, max_length $MAX_LENGTH, cancel $CANCEL_FRACTION, short deadline $DEADLINE_FRACTION at ${DEADLINE_MS} ms, server with $THREADS threads, RSS every ${SAMPLE_S} s, warm-up ${WARMUP_S} s"
    echo "- Machine: $CPU, $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); load average before / after: $LOAD_BEFORE / $LOAD_AFTER"
    echo "- Build: $COMMIT, binaries from $BUILD"
    echo "$SUMMARY"
  } >> "$RESULTS"
  echo "appended to $RESULTS"
fi
exit "$SUMMARY_RC"
