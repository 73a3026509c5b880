#!/usr/bin/python3
"""Makes a loadable copy of a published OPUS-MT model from its real files.

A published repository's files without its weights (config.json,
generation_config.json, the SentencePiece models, vocab.json, the tokenizer
configs) get random weights of exactly the shapes config.json declares,
written as `pytorch_model.bin` the way transformers writes it (the shared
embeddings, both embed_tokens and the tied lm_head as views of one storage;
the static position tables left out). Then the PyTorch reference
(tools/tserve_ref, float64, every sentence alone) decodes a few sentences,
each with its target-language token given as a text prefix, greedy and with
the model's beam size, and golden.json records the source ids and results
for tests/engine/opus_mt_checkpoint_test.cc. Decisions closer to a tie than
--min-margin fail the run, as in make_golden.py.

Usage:
  /usr/bin/python3 tools/make_opus_mt_model.py --files tests/data/opus-mt/tc-big-en-pt \\
      --out build/release/tc-big-en-pt-random
"""

import argparse
import json
import os
import shutil
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_golden  # noqa: E402
import make_test_models  # noqa: E402
from tserve_ref import checkpoint, decoding  # noqa: E402
from tserve_ref.marian import MarianConfig, MarianMTModel  # noqa: E402
from tserve_ref.tokenizer import MarianTokenizer  # noqa: E402

SENTENCES = [
    "The old dog sleeps.",
    "Where is the train station?",
    "My friend reads a letter, but the brave farmer walks to the market.",
    "Tomorrow we will travel together.",
]
MAX_LENGTH = 20
SEED = 20261203

# The weight knobs of the test models (make_test_models.make_weights).
KNOBS = {"eos_bias": 1.0, "weight_seed_offset": 0, "self_attn_negate": 3.0, "qk_gain": 3.0,
         "self_qk_corr": 0.8, "stored_positions": False, "final_logits_bias": True,
         "embed_copies": False}


def random_weights(cfg):
    spec = dict(KNOBS)
    spec.update({k: getattr(cfg, k) for k in (
        "d_model", "encoder_layers", "decoder_layers", "encoder_attention_heads",
        "decoder_attention_heads", "encoder_ffn_dim", "decoder_ffn_dim", "max_position_embeddings")})
    spec.update({"separate_vocabs": cfg.separate_vocabs, "tie": cfg.tie_word_embeddings,
                 "no_shared": cfg.separate_vocabs})
    return make_test_models.make_weights(spec, cfg.vocab_size, cfg.decoder_vocab_size, SEED,
                                         eos=cfg.eos_token_id, pad=cfg.pad_token_id)


def write_bin(cfg, tensors, path):
    tie = []
    if not cfg.separate_vocabs:
        tie = ["model.shared.weight", "model.encoder.embed_tokens.weight",
               "model.decoder.embed_tokens.weight"]
        if cfg.tie_word_embeddings:
            tie.append("lm_head.weight")
    state = checkpoint.torch_state_dict(tensors, "F32", [tie] if tie else [])
    checkpoint.save_bin(state, path)


def golden(model_dir, min_margin):
    tok = MarianTokenizer(model_dir)
    languages = tok.target_languages()
    model = MarianMTModel.from_pretrained(model_dir).double().eval()
    beam_size = json.load(open(os.path.join(model_dir, "generation_config.json")))["num_beams"]
    margins = make_golden.Margins()
    cases = []
    with torch.no_grad():
        for i, text in enumerate(SENTENCES):
            language = languages[i % len(languages)]
            ids = tok.encode(f">>{language}<< {text}")
            trace = []
            g = decoding.greedy(model, [ids], max_length=MAX_LENGTH, trace=trace)[0]
            margins.note("greedy", make_golden.greedy_margin(trace), ("greedy", i))
            trace = []
            beams = decoding.beam_search(model, [ids], beam_size=beam_size, num_hypotheses=2,
                                         max_length=MAX_LENGTH, trace=trace)[0]
            margins.note("beam", make_golden.beam_margin(trace, beam_size, 2, 1.0), ("beam", i))
            cases.append({
                "text": text, "target_language": language, "source_ids": ids,
                "greedy": {"ids": g.ids, "score": g.score},
                "beam": {"beam_size": beam_size, "num_hypotheses": 2,
                         "hypotheses": [{"ids": h.ids, "score": h.score} for h in beams]}})
    if min(margins.greedy, margins.beam) < min_margin:
        raise RuntimeError(f"near tie: greedy {margins.greedy:.3g}, beam {margins.beam:.3g} "
                           f"at {margins.where}")
    return {"max_length": MAX_LENGTH, "languages": languages, "cases": cases,
            "margins": {"greedy": margins.greedy, "beam": margins.beam}}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", required=True, help="the published files (no weights)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--min-margin", type=float, default=3e-4)
    args = ap.parse_args()
    t0 = time.time()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    tmp = args.out + ".partial"
    if os.path.isdir(tmp):
        shutil.rmtree(tmp)
    shutil.copytree(args.files, tmp, ignore=shutil.ignore_patterns("README*"))
    cfg = MarianConfig.from_file(os.path.join(tmp, "config.json"))
    write_bin(cfg, random_weights(cfg), os.path.join(tmp, checkpoint.TORCH_BIN))
    g = golden(tmp, args.min_margin)
    with open(os.path.join(tmp, "golden.json"), "w", encoding="utf-8") as f:
        json.dump(g, f, indent=1, ensure_ascii=False)
        f.write("\n")
    if os.path.isdir(args.out):
        shutil.rmtree(args.out)
    os.rename(tmp, args.out)  # complete or absent: the ctest fixture tests for golden.json
    print(f"wrote {args.out} in {time.time() - t0:.1f} s (margins: greedy {g['margins']['greedy']:.3g}, "
          f"beam {g['margins']['beam']:.3g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
