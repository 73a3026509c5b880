#!/usr/bin/python3
"""Makes an OPUS-MT-sized random MarianMT model for benchmarks.

The directory has the exact Hugging Face layout of Helsinki-NLP/opus-mt-*:
config.json, model.safetensors, source.spm, target.spm, vocab.json,
generation_config.json. Shapes are those of a standard OPUS-MT model:
d_model 512, 6 encoder + 6 decoder layers, 8 heads, FFN 2048, vocabulary
58101, swish, tied embeddings, scale_embedding, 512 positions,
pad = decoder_start = 58100, eos 0, unk 1.

- source.spm / target.spm: unigram SentencePiece models trained by Debian's
  `spm_train` (one thread, no shuffling, fixed seed, nmt_nfkc normalisation as
  in OPUS-MT) on English-like / German-like corpora from bench/bench_text.py.
- vocab.json: </s> = 0, <unk> = 1, the source pieces, the target-only pieces,
  then filler pieces up to 58100 entries, <pad> = 58100 last. The fillers give
  the embedding and output projection their real size; the SentencePiece
  models never produce them, a random decoder may generate them.
- Weights: random with the scales of a freshly initialised model (linear
  weights N(0, 0.02^2), embeddings N(0, 0.05^2), small biases, LayerNorm
  gain 1 / bias 0, final_logits_bias zeros), so activations stay sane through
  12 layers. Positions are not stored (computed sinusoids).

Everything derives from --seed: the same seed and package versions give
byte-identical files.

--shape nllb-600m makes instead a model of facebook/nllb-200-distilled-600M's
shapes in NLLB's layout (M2M100 architecture, 615 M parameters, vocabulary
256,206, a BPE sentencepiece.bpe.model with fairseq's ids and four language
codes: eng_Latn, deu_Latn, fra_Latn, spa_Latn); 2.5 GB in float32.

Usage:
  /usr/bin/python3 bench/make_bench_model.py --out bench/work/model [--seed 1] [--dtype f32]
  /usr/bin/python3 bench/make_bench_model.py --shape nllb-600m --out bench/work/nllb-600m
"""

import argparse
import os
import shutil
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tools"))
import bench_text  # noqa: E402
from make_test_models import (build_vocab, generation_config, hf_config, spm_normal_pieces,  # noqa: E402
                              train_spm, write_json)
from tserve_ref import safetensors_io  # noqa: E402

VOCAB_SIZE = 58101
SHAPE = {
    "d_model": 512, "encoder_layers": 6, "decoder_layers": 6,
    "encoder_attention_heads": 8, "decoder_attention_heads": 8,
    "encoder_ffn_dim": 2048, "decoder_ffn_dim": 2048,
    "activation_function": "swish", "scale_embedding": True,
    "max_position_embeddings": 512,
}
# facebook/nllb-200-distilled-600M's shapes (its config.json): M2M100's
# architecture (pre-LayerNorm, final norms, relu, scaled embeddings, fairseq
# positions), vocabulary 256,206 of which the tokenizer maps 4 specials, the
# SentencePiece pieces, the language codes and <mask>; the rest are rows no
# text reaches, as the real model's 2 spare rows.
NLLB_600M_SHAPE = {
    "d_model": 1024, "encoder_layers": 12, "decoder_layers": 12,
    "encoder_attention_heads": 16, "decoder_attention_heads": 16,
    "encoder_ffn_dim": 4096, "decoder_ffn_dim": 4096,
    "activation_function": "relu", "scale_embedding": True,
    "max_position_embeddings": 1024,
}
NLLB_VOCAB_SIZE = 256206
NLLB_LANGUAGES = ["eng_Latn", "deu_Latn", "fra_Latn", "spa_Latn"]
DTYPES = {"f32": "F32", "f16": "F16", "bf16": "BF16"}


def filler_pieces(count, taken, seed):
    """`count` distinct pieces not in `taken`: word-initial (▁) and inner
    pieces made of letters, as real vocabularies hold."""
    r = bench_text.Rand(seed)
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    common = "etaoinshrdlucmfwypvbgk"
    out = []
    seen = set(taken)
    while len(out) < count:
        n = 2 + r.below(7)
        w = "".join(r.choice(common) if r.chance(0.8) else r.choice(letters) for _ in range(n))
        p = ("\u2581" + w) if r.chance(0.6) else w
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def make_vocab(src_pieces, tgt_pieces, seed):
    vocab = build_vocab([src_pieces, tgt_pieces])  # </s>, <unk>, pieces..., <pad>
    del vocab["<pad>"]
    need = VOCAB_SIZE - 1 - len(vocab)
    if need < 0:
        raise ValueError(f"SentencePiece models give {len(vocab)} pieces, more than {VOCAB_SIZE - 1}")
    for p in filler_pieces(need, vocab, seed):
        vocab[p] = len(vocab)
    vocab["<pad>"] = len(vocab)
    assert len(vocab) == VOCAB_SIZE and vocab["<pad>"] == VOCAB_SIZE - 1
    return vocab


def make_weights(seed, V, emb_std=0.05, init_std=0.02, bias_std=0.01, shape=None, pad=None,
                 final_norms=False):
    """Random float32 weights under the Hugging Face names (tied: no lm_head).
    Marian's layout by default; `final_norms` adds M2M100's
    model.{encoder,decoder}.layer_norm and drops final_logits_bias."""
    shape = shape or SHAPE
    pad = V - 1 if pad is None else pad
    rng = np.random.Generator(np.random.PCG64(seed))
    d, f = shape["d_model"], shape["encoder_ffn_dim"]
    t = {}

    def normal(shape, std):
        return (rng.standard_normal(shape, dtype=np.float32) * np.float32(std)).astype(np.float32)

    def linear(name, n_out, n_in):
        t[name + ".weight"] = normal((n_out, n_in), init_std)
        t[name + ".bias"] = normal((n_out,), bias_std)

    def layer_norm(name):
        t[name + ".weight"] = np.ones(d, dtype=np.float32)
        t[name + ".bias"] = np.zeros(d, dtype=np.float32)

    emb = normal((V, d), emb_std)
    emb[pad] = 0.0  # the pad row, as in a trained model (padding_idx)
    t["model.shared.weight"] = emb
    if final_norms:
        layer_norm("model.encoder.layer_norm")
        layer_norm("model.decoder.layer_norm")
    else:
        t["final_logits_bias"] = np.zeros((1, V), dtype=np.float32)
    for i in range(shape["encoder_layers"]):
        p = f"model.encoder.layers.{i}."
        for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
            linear(p + "self_attn." + proj, d, d)
        layer_norm(p + "self_attn_layer_norm")
        linear(p + "fc1", f, d)
        linear(p + "fc2", d, f)
        layer_norm(p + "final_layer_norm")
    for i in range(shape["decoder_layers"]):
        p = f"model.decoder.layers.{i}."
        for att in ("self_attn", "encoder_attn"):
            for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
                linear(p + att + "." + proj, d, d)
            layer_norm(p + att + "_layer_norm")
        linear(p + "fc1", shape["decoder_ffn_dim"], d)
        linear(p + "fc2", d, shape["decoder_ffn_dim"])
        layer_norm(p + "final_layer_norm")
    return t


def finish_model(weights, tmp_out, out, dtype, V, t0, log):
    """Writes model.safetensors into the model being made in `tmp_out`, then
    puts it in place of `out` (a half-written model never sits at `out`)."""
    n_params = sum(a.size for a in weights.values())
    safetensors_io.save_file(weights, os.path.join(tmp_out, "model.safetensors"), dtype=DTYPES[dtype],
                             metadata={"format": "pt"})
    weights.clear()
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.rename(tmp_out, out)
    size = os.path.getsize(os.path.join(out, "model.safetensors"))
    log(f"{out}: {n_params / 1e6:.1f} M parameters, model.safetensors {size / 1e6:.1f} MB "
        f"({DTYPES[dtype]}), vocabulary {V} ({time.time() - t0:.1f} s)")


def make_model(out, seed=1, dtype="f32", spm_vocab=(8000, 8000), corpus_size=20000, quiet=False):
    def log(msg):
        if not quiet:
            print(msg, flush=True)

    t0 = time.time()
    tmp_out = out.rstrip("/") + ".tmp"
    if os.path.isdir(tmp_out):
        shutil.rmtree(tmp_out)
    os.makedirs(tmp_out)
    base = 1000 * int(seed)
    src_corpus = bench_text.TextGenerator("en", base + 1, base + 2).corpus(corpus_size)
    tgt_corpus = bench_text.TextGenerator("de", base + 3, base + 4).corpus(corpus_size)
    log(f"corpora: {len(src_corpus)} + {len(tgt_corpus)} sentences ({time.time() - t0:.1f} s)")
    with tempfile.TemporaryDirectory(prefix="tserve-bench-spm-") as workdir:
        src_spm = train_spm(src_corpus, spm_vocab[0], workdir, "source", "nmt_nfkc")
        tgt_spm = train_spm(tgt_corpus, spm_vocab[1], workdir, "target", "nmt_nfkc")
    log(f"sentencepiece: {spm_vocab[0]} + {spm_vocab[1]} pieces ({time.time() - t0:.1f} s)")
    vocab = make_vocab(spm_normal_pieces(src_spm), spm_normal_pieces(tgt_spm), base + 5)
    V = len(vocab)
    pad = V - 1
    with open(os.path.join(tmp_out, "source.spm"), "wb") as fh:
        fh.write(src_spm)
    with open(os.path.join(tmp_out, "target.spm"), "wb") as fh:
        fh.write(tgt_spm)
    write_json(os.path.join(tmp_out, "vocab.json"), vocab, sort_keys=False)
    spec = dict(SHAPE, name="opus-mt-sized-random", separate_vocabs=False, tie=True,
                dtype=DTYPES[dtype], config_omit=[])
    cfg = hf_config(spec, V, V, pad)
    cfg.update({"max_length": 512, "num_beams": 4, "unk_token_id": 1})
    write_json(os.path.join(tmp_out, "config.json"), cfg)
    gen = generation_config(pad)
    gen["max_length"] = 512
    write_json(os.path.join(tmp_out, "generation_config.json"), gen)
    finish_model(make_weights(base + 6, V), tmp_out, out, dtype, V, t0, log)
    return out


def make_nllb_model(out, seed=1, dtype="f32", spm_vocab=8000, corpus_size=20000):
    """An NLLB-200-distilled-600M-sized random model in NLLB's published layout:
    config.json (model_type m2m_100), generation_config.json, model.safetensors,
    sentencepiece.bpe.model (BPE, trained by spm_train on English-like and
    German-like text), tokenizer_config.json, special_tokens_map.json."""
    from make_test_models import family_vocab, write_family_tokenizer
    t0 = time.time()
    tmp_out = out.rstrip("/") + ".tmp"
    if os.path.isdir(tmp_out):
        shutil.rmtree(tmp_out)
    os.makedirs(tmp_out)
    base = 1000 * int(seed)
    corpus = (bench_text.TextGenerator("en", base + 1, base + 2).corpus(corpus_size) +
              bench_text.TextGenerator("de", base + 3, base + 4).corpus(corpus_size))
    with tempfile.TemporaryDirectory(prefix="tserve-bench-spm-") as workdir:
        spm_model = train_spm(corpus, spm_vocab, workdir, "sentencepiece.bpe", "nmt_nfkc",
                              model_type="bpe")
    spec = {"tokenizer": "nllb", "languages": NLLB_LANGUAGES,
            "max_position_embeddings": NLLB_600M_SHAPE["max_position_embeddings"]}
    vocab, pieces = family_vocab(spec, spm_model)
    write_family_tokenizer(spec, tmp_out, spm_model, vocab, pieces)
    print(f"sentencepiece: {spm_vocab} BPE pieces, tokenizer ids {len(vocab)} "
          f"({time.time() - t0:.1f} s)", flush=True)
    V = NLLB_VOCAB_SIZE
    cfg = dict(NLLB_600M_SHAPE, model_type="m2m_100", architectures=["M2M100ForConditionalGeneration"],
               vocab_size=V, bos_token_id=0, pad_token_id=1, eos_token_id=2,
               decoder_start_token_id=2, is_encoder_decoder=True, tokenizer_class="NllbTokenizer",
               max_length=200, torch_dtype="float32", use_cache=True,
               _name_or_path="nllb-200-distilled-600M-sized-random")
    write_json(os.path.join(tmp_out, "config.json"), cfg)
    write_json(os.path.join(tmp_out, "generation_config.json"),
               {"bos_token_id": 0, "decoder_start_token_id": 2, "eos_token_id": 2,
                "max_length": 200, "pad_token_id": 1})
    finish_model(make_weights(base + 6, V, shape=NLLB_600M_SHAPE, pad=1, final_norms=True),
                 tmp_out, out, dtype, V, t0, lambda msg: print(msg, flush=True))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="model directory to write (replaced if present)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dtype", choices=sorted(DTYPES), default="f32", help="storage type of the weights")
    ap.add_argument("--spm_vocab", type=int, default=8000, help="pieces of each SentencePiece model")
    ap.add_argument("--corpus_size", type=int, default=20000, help="sentences to train each SentencePiece model")
    ap.add_argument("--shape", choices=["opus-mt", "nllb-600m"], default="opus-mt",
                    help="opus-mt: Marian, OPUS-MT's shapes; nllb-600m: M2M100 layout, "
                         "NLLB-200-distilled-600M's shapes and tokenizer files")
    args = ap.parse_args()
    if args.shape == "nllb-600m":
        make_nllb_model(args.out, args.seed, args.dtype, args.spm_vocab, args.corpus_size)
    else:
        make_model(args.out, args.seed, args.dtype, (args.spm_vocab, args.spm_vocab), args.corpus_size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
