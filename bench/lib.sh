# shellcheck shell=bash
# Shared by the benchmark scripts (compare.sh, serve_bench.sh, soak.sh):
# sourced after each has set PYTHON, WORK and SEED (and SERVER / CLIENT for
# the server ones).

# require_binaries SCRIPT HINT BINARY... : exits with a message naming the
# first binary that is not there.
require_binaries() {
  local script=$1 hint=$2 binary
  shift 2
  for binary in "$@"; do
    if [ ! -x "$binary" ]; then
      echo "$script: no $binary (build the repo, or set $hint)" >&2
      exit 1
    fi
  done
}

# prepare_model_and_inputs: the OPUS-MT-sized random model and its 500
# input sentences for SEED, made once into WORK; sets MODEL and INPUTS.
prepare_model_and_inputs() {
  mkdir -p "$WORK"
  MODEL=$WORK/model-seed$SEED
  INPUTS=$WORK/inputs-seed$SEED.txt
  if [ ! -f "$MODEL/model.safetensors" ] || [ ! -f "$MODEL/config.json" ]; then
    echo "== making the benchmark model in $MODEL"
    "$PYTHON" bench/make_bench_model.py --out "$MODEL" --seed "$SEED"
  fi
  if [ ! -f "$INPUTS" ]; then
    echo "== making the inputs in $INPUTS"
    "$PYTHON" bench/make_inputs.py --out "$INPUTS" --n 500 --seed "$SEED" --model "$MODEL"
  fi
}

# first_inputs N: prints the path of a file with the first N lines of INPUTS
# (INPUTS itself when N is 0).
first_inputs() {
  if [ "$1" -gt 0 ]; then
    head -n "$1" "$INPUTS" > "$WORK/inputs-seed$SEED-first$1.txt"
    echo "$WORK/inputs-seed$SEED-first$1.txt"
  else
    echo "$INPUTS"
  fi
}

# start_server RUN FLAG... : starts SERVER on loopback with free ports
# (written to RUN/ports, its log to RUN/server.log) and the given flags, and
# waits until it answers health checks; sets SERVER_PID and ADDRESS. Exits,
# printing the log, if the server dies first.
start_server() {
  local run=$1
  shift
  "$SERVER" --listen_address=127.0.0.1 --grpc_port=0 --metrics_port=0 --port_file="$run/ports" \
    "$@" > "$run/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 600); do
    if [ -s "$run/ports" ] && grep -q '^grpc_port=' "$run/ports"; then break; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then cat "$run/server.log" >&2; exit 1; fi
    sleep 0.1
  done
  ADDRESS=127.0.0.1:$(sed -n 's/^grpc_port=//p' "$run/ports")
  for _ in $(seq 600); do
    if "$CLIENT" health --address="$ADDRESS" --timeout_s=1 > /dev/null 2>&1; then break; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then cat "$run/server.log" >&2; exit 1; fi
    sleep 0.1
  done
}
