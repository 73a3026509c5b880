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

--shape flan-t5-base makes a model of google/flan-t5-base's shapes in its
published layout (T5ForConditionalGeneration: d_model 768, d_kv 64, 12 heads,
d_ff 2048, 12 + 12 layers, gated-gelu, untied lm_head, 32 relative-attention
buckets, max distance 128, vocabulary 32128, pad = decoder_start 0, eos 1;
247.6 M parameters, 990 MB in float32) with the T5 test models' tokenizer files
(tools/make_test_models.py): a 32000-piece unigram spiece.model (pad 0, eos 1,
unk 2, no bos; identity normalisation) trained by spm_train on 60,000
English-like sentences (the lexicon of bench/make_inputs.py --seed, every fifth
line with the prefix "translate English to German: ") and 60,000 German-like
ones, 100 sentinels <extra_id_N>, 28 spare embedding rows as in the real model,
tokenizer_config.json, special_tokens_map.json, tokenizer.json,
generation_config.json. Should spm_train not reach --spm_vocab pieces (a
smaller --corpus_size), the largest size it reports is used and the spare rows
grow, so that vocab_size stays 32128. Weights (see make_t5_weights): projections
N(0, 1/fan_in) with the queries also scaled by d_kv**-0.5 (T5 folds the
attention scaling into them), embeddings N(0, 1), RMSNorm gains 1,
relative-attention biases N(0, 0.5^2). A random decoder rarely produces </s>:
benchmark it with fixed output lengths (engine_bench --ignore_eos, ct2_bench
FIXED=1); bench/convert_t5_ct2.py converts it for CTranslate2.

Usage:
  /usr/bin/python3 bench/make_bench_model.py --out bench/work/model [--seed 1] [--dtype f32]
  /usr/bin/python3 bench/make_bench_model.py --shape nllb-600m --out bench/work/nllb-600m
  /usr/bin/python3 bench/make_bench_model.py --shape flan-t5-base --out bench/work/flan-t5-base
"""

import argparse
import os
import re
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
# google/flan-t5-base's config.json (T5 v1.1 architecture), under the names of
# make_test_models.py's T5 specs (buckets = relative_attention_num_buckets,
# max_distance = relative_attention_max_distance, tie = tie_word_embeddings).
FLAN_T5_BASE_SHAPE = {
    "name": "flan-t5-base-sized-random", "model_type": "t5", "architectures": ["T5ForConditionalGeneration"],
    "d_model": 768, "d_kv": 64, "num_heads": 12, "d_ff": 2048, "num_layers": 12, "num_decoder_layers": 12,
    "feed_forward_proj": "gated-gelu", "tie": False, "buckets": 32, "max_distance": 128, "extra_ids": 100,
}
FLAN_T5_VOCAB_SIZE = 32128  # 32000 pieces + 100 sentinels + 28 spare rows, as the real model


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


def start_model(out):
    """The directory a model is written into before finish_model moves it to `out`
    (emptied first), so an interrupted run never leaves a half-written `out`."""
    tmp_out = out.rstrip("/") + ".tmp"
    if os.path.isdir(tmp_out):
        shutil.rmtree(tmp_out)
    os.makedirs(tmp_out)
    return tmp_out


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
    tmp_out = start_model(out)
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
    tmp_out = start_model(out)
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


def make_t5_weights(seed, V, shape=None, rel_bias_std=0.5):
    """Random float32 T5 weights under the Hugging Face names (untied: lm_head.weight).
    Linear maps N(0, 1/fan_in), the queries also scaled by d_kv**-0.5 (T5 does not
    scale attention scores; its initialisation folds the scaling into q), so that
    attention logits, FFN activations and output logits all have standard deviation
    about 1 for RMS-normalised inputs; embeddings N(0, 1) (rows of RMS 1); RMSNorm
    gains 1; relative-attention biases [buckets, heads] N(0, rel_bias_std^2) in the
    first self-attention block of each stack (the later blocks reuse them)."""
    shape = shape or FLAN_T5_BASE_SHAPE
    rng = np.random.Generator(np.random.PCG64(seed))
    d, dk, H, ff = shape["d_model"], shape["d_kv"], shape["num_heads"], shape["d_ff"]
    inner = H * dk
    t = {}

    def normal(dims, std):
        a = rng.standard_normal(dims, dtype=np.float32)
        a *= np.float32(std)
        return a

    def linear(name, n_out, n_in, scale=1.0):
        t[name + ".weight"] = normal((n_out, n_in), scale / np.sqrt(n_in))

    def norm(name):
        t[name + ".weight"] = np.ones(d, dtype=np.float32)

    def attention(prefix, has_bias):
        linear(prefix + ".q", inner, d, 1.0 / np.sqrt(dk))
        linear(prefix + ".k", inner, d)
        linear(prefix + ".v", inner, d)
        linear(prefix + ".o", d, inner)
        if has_bias:
            t[prefix + ".relative_attention_bias.weight"] = normal((shape["buckets"], H), rel_bias_std)

    def feed_forward(prefix):
        if shape["feed_forward_proj"].startswith("gated"):
            linear(prefix + ".wi_0", ff, d)
            linear(prefix + ".wi_1", ff, d)
        else:
            linear(prefix + ".wi", ff, d)
        linear(prefix + ".wo", d, ff)

    t["shared.weight"] = normal((V, d), 1.0)
    for i in range(shape["num_layers"]):
        p = f"encoder.block.{i}.layer."
        attention(p + "0.SelfAttention", has_bias=(i == 0))
        norm(p + "0.layer_norm")
        feed_forward(p + "1.DenseReluDense")
        norm(p + "1.layer_norm")
    norm("encoder.final_layer_norm")
    for i in range(shape["num_decoder_layers"]):
        p = f"decoder.block.{i}.layer."
        attention(p + "0.SelfAttention", has_bias=(i == 0))
        norm(p + "0.layer_norm")
        attention(p + "1.EncDecAttention", has_bias=False)
        norm(p + "1.layer_norm")
        feed_forward(p + "2.DenseReluDense")
        norm(p + "2.layer_norm")
    norm("decoder.final_layer_norm")
    if not shape["tie"]:
        linear("lm_head", V, d)
    return t


def train_t5_spm(corpus, spm_vocab, workdir, log):
    """spiece.model with T5's special ids; when spm_train cannot reach `spm_vocab`
    pieces on this corpus ("Vocabulary size too high ... <= N"), the largest size it
    reports."""
    from make_test_models import T5_SPM_OPTIONS
    try:
        return train_spm(corpus, spm_vocab, workdir, "spiece", extra_options=T5_SPM_OPTIONS), spm_vocab
    except RuntimeError as e:
        m = re.search(r"Vocabulary size too high \(\d+\)\. Please set it to a value <= (\d+)", str(e))
        if not m:
            raise
        reachable = int(m.group(1))
        log(f"spm_train: {spm_vocab} pieces not reachable on this corpus; using {reachable}")
        return train_spm(corpus, reachable, workdir, "spiece", extra_options=T5_SPM_OPTIONS), reachable


def make_flan_t5_model(out, seed=1, dtype="f32", spm_vocab=32000, corpus_size=60000):
    """A google/flan-t5-base-sized random model in its published layout: config.json,
    generation_config.json, model.safetensors, spiece.model, tokenizer_config.json,
    special_tokens_map.json, tokenizer.json (see the module docstring)."""
    from make_test_models import T5_TASK_PREFIX, t5_config, write_t5_tokenizer

    def log(msg):
        print(msg, flush=True)

    t0 = time.time()
    tmp_out = start_model(out)
    base = 1000 * int(seed)
    # The English lexicon is make_inputs.py's (base + 1), so its inputs are in-domain.
    en = bench_text.TextGenerator("en", base + 1, base + 2).corpus(corpus_size)
    en = [T5_TASK_PREFIX + line if i % 5 == 0 else line for i, line in enumerate(en)]
    de = bench_text.TextGenerator("de", base + 3, base + 4).corpus(corpus_size)
    log(f"corpora: {len(en)} + {len(de)} sentences ({time.time() - t0:.1f} s)")
    with tempfile.TemporaryDirectory(prefix="tserve-bench-spm-") as workdir:
        spm_model, pieces = train_t5_spm(en + de, spm_vocab, workdir, log)
    shape = FLAN_T5_BASE_SHAPE
    write_t5_tokenizer(shape, tmp_out, spm_model)
    V = FLAN_T5_VOCAB_SIZE
    n_tokenizer = pieces + shape["extra_ids"]
    if n_tokenizer > V:
        raise ValueError(f"{pieces} pieces + {shape['extra_ids']} sentinels exceed vocab_size {V}")
    log(f"sentencepiece: {pieces} unigram pieces + {shape['extra_ids']} sentinels, "
        f"{V - n_tokenizer} spare rows ({time.time() - t0:.1f} s)")
    cfg = t5_config(dict(shape, dtype="F32"), V)
    cfg["torch_dtype"] = {"f32": "float32", "f16": "float16", "bf16": "bfloat16"}[dtype]
    write_json(os.path.join(tmp_out, "config.json"), cfg)
    write_json(os.path.join(tmp_out, "generation_config.json"),
               {"_from_model_config": True, "decoder_start_token_id": 0, "eos_token_id": 1, "pad_token_id": 0,
                "transformers_version": "4.27.0.dev0"})
    finish_model(make_t5_weights(base + 6, V, shape), tmp_out, out, dtype, V, t0, log)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="model directory to write (replaced if present)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dtype", choices=sorted(DTYPES), default="f32", help="storage type of the weights")
    ap.add_argument("--spm_vocab", type=int, default=None,
                    help="pieces of each SentencePiece model (default 8000; flan-t5-base: 32000)")
    ap.add_argument("--corpus_size", type=int, default=None,
                    help="sentences (per language) to train each SentencePiece model "
                         "(default 20000; flan-t5-base: 60000)")
    ap.add_argument("--shape", choices=["opus-mt", "nllb-600m", "flan-t5-base"], default="opus-mt",
                    help="opus-mt: Marian, OPUS-MT's shapes; nllb-600m: M2M100 layout, "
                         "NLLB-200-distilled-600M's shapes and tokenizer files; flan-t5-base: T5 "
                         "layout, google/flan-t5-base's shapes and tokenizer files")
    args = ap.parse_args()
    if args.shape == "flan-t5-base":
        make_flan_t5_model(args.out, args.seed, args.dtype, args.spm_vocab or 32000, args.corpus_size or 60000)
        return 0
    args.spm_vocab = args.spm_vocab or 8000
    args.corpus_size = args.corpus_size or 20000
    if args.shape == "nllb-600m":
        make_nllb_model(args.out, args.seed, args.dtype, args.spm_vocab, args.corpus_size)
    else:
        make_model(args.out, args.seed, args.dtype, (args.spm_vocab, args.spm_vocab), args.corpus_size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
