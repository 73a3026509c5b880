#!/usr/bin/python3
"""Writes benchmark source sentences, one per line.

English-like sentences from the generator that trained the benchmark model's
source.spm (bench/bench_text.py, same lexicon for the same --seed), with a
realistic length spread: most between 5 and 30 words (lognormal, median about
14), a tail to about 60. Deterministic: the same arguments give the same file.

Usage:
  /usr/bin/python3 bench/make_inputs.py --out bench/work/inputs.txt [--n 500] [--seed 1]
  (--model DIR prints the token-length spread under that model's source.spm)
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_text  # noqa: E402


def make_inputs(n, seed=1):
    base = 1000 * int(seed)
    gen = bench_text.TextGenerator("en", base + 1, base + 7)  # lexicon of make_bench_model.py --seed
    out = []
    while len(out) < n:
        s = gen.sentence(gen.length_spread())
        if len(s.split()) <= 64:
            out.append(s)
    return out


def percentiles(values, ps=(0, 10, 25, 50, 75, 90, 99, 100)):
    v = sorted(values)
    return {p: v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] for p in ps}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1, help="the --seed of make_bench_model.py")
    ap.add_argument("--model", help="model directory: report source token lengths too")
    args = ap.parse_args()
    lines = make_inputs(args.n, args.seed)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    words = [len(s.split()) for s in lines]
    print(f"{args.out}: {len(lines)} sentences, words per sentence {percentiles(words)} (percentile: words)")
    if args.model:
        import sentencepiece as spm
        sp = spm.SentencePieceProcessor(model_file=os.path.join(args.model, "source.spm"))
        toks = [len(sp.encode(s)) + 1 for s in lines]
        print(f"source tokens per sentence (eos included) {percentiles(toks)}, total {sum(toks)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
