#!/usr/bin/python3
"""Throughput of the PyTorch reference (tools/tserve_ref) on a text file.

The workload is the one of tserve's bench/engine_bench: sentences in file
order, batches of --batch_size taken in that order (no length sorting), each
batch encoded and decoded to the end before the next starts; greedy
(--beam_size 1) or beam search. With --ignore_eos every sentence generates
exactly --max_length tokens, so every engine does the same amount of work.
Prints one JSON line with the keys engine_bench prints.

Modes (--compute_type):
  float32         float32 weights and activations, torch.inference_mode()
  bfloat16        torch.autocast("cpu", dtype=torch.bfloat16) + torch.inference_mode(),
                  float32 weights (the reference's reduced-precision path)
  bfloat16-weights  weights cast to bfloat16 (no autocast), inference mode

Usage:
  /usr/bin/python3 tools/reference_bench.py --model_dir DIR --input FILE
      [--batch_size 32] [--beam_size 1] [--max_length 32] [--ignore_eos]
      [--compute_type float32|bfloat16|bfloat16-weights] [--threads 2]
      [--sentences N] [--output FILE]
"""

import argparse
import contextlib
import json
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tserve_ref import decoding  # noqa: E402
from tserve_ref.marian import MarianMTModel  # noqa: E402
from tserve_ref.tokenizer import MarianTokenizer  # noqa: E402

COMPUTE_TYPES = ("float32", "bfloat16", "bfloat16-weights")


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6  # Linux: KiB


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model_dir", required=True)
    ap.add_argument("--input", required=True, help="source sentences, one per line")
    ap.add_argument("--output", help="where to write the translations (optional)")
    ap.add_argument("--batch_size", type=int, default=32)
    ap.add_argument("--beam_size", type=int, default=1, help="1 = greedy")
    ap.add_argument("--max_length", type=int, default=256, help="largest number of generated tokens")
    ap.add_argument("--ignore_eos", action="store_true", help="always generate max_length tokens")
    ap.add_argument("--compute_type", choices=COMPUTE_TYPES, default="float32")
    ap.add_argument("--threads", type=int, default=2, help="torch intra-op threads (0 = torch default)")
    ap.add_argument("--sentences", type=int, default=0, help="use only the first N sentences (0 = all)")
    args = ap.parse_args()

    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    load_start = time.perf_counter()
    tok = MarianTokenizer(args.model_dir)
    model = MarianMTModel.from_pretrained(args.model_dir).eval()
    if args.compute_type == "bfloat16-weights":
        model = model.to(torch.bfloat16)
    load_seconds = time.perf_counter() - load_start

    with open(args.input, encoding="utf-8") as f:
        lines = f.read().splitlines()
    if args.sentences > 0:
        lines = lines[:args.sentences]
    limit = model.config.max_position_embeddings
    sources = [tok.encode(line, limit=limit, truncate=True) for line in lines]
    source_tokens = sum(len(s) for s in sources)

    autocast = (torch.autocast("cpu", dtype=torch.bfloat16) if args.compute_type == "bfloat16"
                else contextlib.nullcontext())
    results = []
    start = time.perf_counter()
    with torch.inference_mode(), autocast:
        for begin in range(0, len(sources), args.batch_size):
            batch = sources[begin:begin + args.batch_size]
            if args.beam_size > 1:
                out = decoding.beam_search(model, batch, beam_size=args.beam_size, num_hypotheses=1,
                                           max_length=args.max_length, ignore_eos=args.ignore_eos)
                results += [hyps[0] for hyps in out]
            else:
                results += decoding.greedy(model, batch, max_length=args.max_length,
                                           ignore_eos=args.ignore_eos)
    seconds = time.perf_counter() - start

    target_tokens = sum(len(h.token_scores) for h in results)  # eos included, as engine_bench counts
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            for h in results:
                f.write(tok.decode(h.ids) + "\n")
    print(json.dumps({
        "engine": "reference", "compute_type": args.compute_type, "batch_size": args.batch_size,
        "beam_size": args.beam_size, "sentences": len(results), "source_tokens": source_tokens,
        "target_tokens": target_tokens, "seconds": round(seconds, 3),
        "target_tokens_per_s": round(target_tokens / seconds, 1),
        "sentences_per_s": round(len(results) / seconds, 2), "load_seconds": round(load_seconds, 3),
        "peak_rss_mb": round(peak_rss_mb(), 1), "threads": torch.get_num_threads(),
        "torch": torch.__version__}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
