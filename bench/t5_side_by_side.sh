#!/usr/bin/env bash
# tserve against CTranslate2 4.8.1 on a T5-family model (../shared/peers/ctranslate2/, whose
# side_by_side.sh converts MarianMT only): same machine, same model, same sentences, one
# script run, configurations alternated; prints the median target tokens/s, peak RSS and
# the ratios of each run, with the CPU.
#
#   bench/t5_side_by_side.sh --model HF_T5_DIR --inputs TEXT_FILE [R] [--n 64] [--beam4_n 32]
#                            [--max_length 32] [--batch 32] [--threads 2]
#
# The CTranslate2 copy is made once by bench/convert_t5_ct2.py (into HF_T5_DIR.ct2);
# its sources are tserve's T5 tokens of the same lines (convert_t5_ct2.py --pieces).
# Outputs are fixed at --max_length tokens (ct2_bench FIXED=1, engine_bench --ignore_eos):
# random weights rarely produce </s>. R (default 2) runs of every configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
KIT=${CT2_KIT:-$(cd .. && pwd)/shared/peers/ctranslate2}
MODEL= INPUTS= R=2 N=64 N4=32 L=32 B=32 T=2
while (($#)); do
  case $1 in
    --model) MODEL=$2; shift 2 ;;
    --inputs) INPUTS=$2; shift 2 ;;
    --n) N=$2; shift 2 ;;
    --beam4_n) N4=$2; shift 2 ;;
    --max_length) L=$2; shift 2 ;;
    --batch) B=$2; shift 2 ;;
    --threads) T=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) R=$1; shift ;;
  esac
done
[ -n "$MODEL" ] && [ -n "$INPUTS" ] || { echo "need --model and --inputs (see --help)" >&2; exit 2; }
ENGINE_BENCH=build/release/bench/engine_bench
for f in "$ENGINE_BENCH" "$KIT/bin/ct2_bench"; do [ -x "$f" ] || { echo "missing $f" >&2; exit 1; }; done

WORK=$(mktemp -d /tmp/t5_side_by_side.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# ct2_bench needs a directory with a real libctranslate2.so.4 link.
mkdir -p "$WORK/lib"
ln -s "$KIT"/lib/libctranslate2.so.4.* "$WORK/lib/libctranslate2.so.4"
export LD_LIBRARY_PATH="$WORK/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
CT2_MODEL=${MODEL%/}.ct2
[ -f "$CT2_MODEL/model.bin" ] || /usr/bin/python3 bench/convert_t5_ct2.py "$MODEL" "$CT2_MODEL" > /dev/null
for n in $N $N4; do
  head -n "$n" "$INPUTS" > "$WORK/in$n.txt"
  /usr/bin/python3 bench/convert_t5_ct2.py "$MODEL" --pieces "$WORK/in$n.txt" "$WORK/in$n.pieces" > /dev/null
done

echo "# $(date -u +%FT%TZ) $(nproc) cpus; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "# R=$R sentences: greedy $N, beam4 $N4; batch $B, $L tokens per output, tserve threads $T"
RESULTS=$WORK/results.tsv; : > "$RESULTS"
for ((r = 1; r <= R; r++)); do
  for beam in 1 4; do
    n=$N; [ "$beam" = 4 ] && n=$N4
    for c in ct2:float32 tserve:float32 ct2:int8 tserve:int8 tserve:bfloat16; do
      IFS=: read -r engine ct <<< "$c"
      log=$WORK/$engine-$ct-$beam-$r.log
      if [ "$engine" = ct2 ]; then
        /usr/bin/time -v "$KIT/bin/ct2_bench" "$CT2_MODEL" "$ct" "$beam" "$L" "$B" 1 \
          "$WORK/in$n.pieces" > "$log" 2>&1
        tps=$(grep -o 'tokens_per_s=[0-9.]*' "$log" | cut -d= -f2)
      else
        /usr/bin/time -v "$ENGINE_BENCH" --model_dir="$MODEL" --input="$WORK/in$n.txt" \
          --batch_size="$B" --beam_size="$beam" --max_length="$L" --ignore_eos --threads="$T" \
          --compute_type="$ct" > "$log" 2>&1
        tps=$(grep -o '"target_tokens_per_s": [0-9.]*' "$log" | awk '{print $2}')
      fi
      rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$log")
      printf '%s\t%s\t%s\t%s\t%s\n' "$engine" "$ct" "$beam" "$tps" "$rss" >> "$RESULTS"
      printf 'run %d beam %d %-16s %8s tok/s  rss %s MB\n' "$r" "$beam" "$c" "$tps" "$rss"
    done
  done
done

echo
echo "median target tokens/s over $R run(s); ratios are tserve / CTranslate2 of the medians"
awk -F'\t' '
  { k = $1 " " $2 " " $3; if (!(k in c)) order[++n] = k; v[k, ++c[k]] = $4
    if ($5 > rss[k]) rss[k] = $5 }
  function median(k,   m, a, b, t) {
    m = c[k]
    for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++)
      if (v[k, b] < v[k, a]) { t = v[k, a]; v[k, a] = v[k, b]; v[k, b] = t }
    return m % 2 ? v[k, (m + 1) / 2] : (v[k, m / 2] + v[k, m / 2 + 1]) / 2
  }
  END {
    printf "%-7s %-9s %-5s %10s %12s\n", "engine", "compute", "beam", "tok/s", "peak RSS MB"
    for (i = 1; i <= n; i++) { k = order[i]; med[k] = median(k); split(k, f, " ")
      printf "%-7s %-9s %-5s %10.1f %12s\n", f[1], f[2], f[3], med[k], rss[k] }
    for (beam = 1; beam <= 4; beam += 3) {
      ct2best = med["ct2 float32 " beam] > med["ct2 int8 " beam] ? med["ct2 float32 " beam] : med["ct2 int8 " beam]
      best = 0; for (i = 1; i <= n; i++) { k = order[i]; split(k, f, " ")
        if (f[1] == "tserve" && f[3] == beam && med[k] > best) best = med[k] }
      printf "beam %d: best vs best %.2fx, float32 vs float32 %.2fx\n", beam, best / ct2best,
        med["tserve float32 " beam] / med["ct2 float32 " beam]
    }
  }' "$RESULTS"
