#!/usr/bin/python3
"""Makes the small random test models under tests/data/models/.

Each MarianMT model is a directory in the exact Hugging Face MarianMT layout:
config.json, model.safetensors, source.spm, target.spm, vocab.json
(+ target_vocab.json with separate vocabularies), generation_config.json.
The other families (FAMILY_MODELS: M2M100/NLLB, BART, mBART; T5_MODELS: T5,
Flan-T5, mT5, sentence-t5) are written in their published layouts (see
make_family_model, make_t5_model).

Everything is derived from the seed: the training corpora (English-like source,
German-like target sentences from small word lists and a toy grammar), the
SentencePiece models (Debian's `spm_train`, single thread, relative paths, no
shuffling) and the weights (numpy's legacy RandomState, whose stream is
frozen). Running the script twice gives byte-identical files.

Usage:
  /usr/bin/python3 tools/make_test_models.py [--out tests/data/models] [--check]
"""

import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tserve_ref import families, safetensors_io  # noqa: E402
from tserve_ref.decoding import SplitMix64  # noqa: E402
from tserve_ref.marian import sinusoidal_positions  # noqa: E402
from tserve_ref.t5 import parse_feed_forward_proj  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO, "tests", "data", "models")
SEED = 20240607

# --------------------------------------------------------------------- corpora

EN = {
    "det": "the a this that every one some my your our their his her".split(),
    "adj": ("old new small big red green quiet happy tired brave bright dark cold warm young "
            "strange simple heavy quick slow clean").split(),
    "noun": ("dog cat house river man woman child teacher garden window letter city train "
             "mountain book table friend doctor bird tree road market village song question "
             "story morning evening kitchen student farmer").split(),
    "verb": ("sees likes finds opens reads writes carries builds paints watches follows "
             "remembers visits helps calls answers").split(),
    "iverb": "sleeps runs waits sings walks laughs works travels arrives rests".split(),
    "adv": "today slowly quickly often never always again together outside tomorrow".split(),
    "prep": "in near under behind with from to over after before".split(),
    "wh": "where when why how".split(),
}

DE = {
    "det": "der die das ein eine dieser jede mein dein unser ihr sein".split(),
    "adj": ("alte neue kleine grosse rote gruene stille frohe muede mutige helle dunkle kalte "
            "warme junge seltsame einfache schwere schnelle langsame").split(),
    "noun": ("Hund Katze Haus Fluss Mann Frau Kind Lehrer Garten Fenster Brief Stadt Zug Berg "
             "Buch Tisch Freund Arzt Vogel Baum Strasse Markt Dorf Lied Frage Geschichte Morgen "
             "Abend Kueche Bauer").split(),
    "verb": ("sieht mag findet oeffnet liest schreibt traegt baut malt beobachtet folgt "
             "erinnert besucht hilft ruft beantwortet").split(),
    "iverb": "schlaeft laeuft wartet singt geht lacht arbeitet reist kommt ruht".split(),
    "adv": "heute langsam schnell oft nie immer wieder zusammen draussen morgen".split(),
    "prep": "in neben unter hinter mit aus zu ueber nach vor".split(),
    "wh": "wo wann warum wie".split(),
}


class Rand:
    def __init__(self, seed):
        self.rng = SplitMix64(seed)

    def below(self, n):
        return int(self.rng.next_double() * n)

    def choice(self, seq):
        return seq[self.below(len(seq))]

    def chance(self, p):
        return self.rng.next_double() < p


def _noun_phrase(r, w):
    words = [r.choice(w["det"])]
    if r.chance(0.5):
        words.append(r.choice(w["adj"]))
    words.append(r.choice(w["noun"]))
    if r.chance(0.15):
        words += [r.choice(w["prep"]), r.choice(w["det"]), r.choice(w["noun"])]
    return words


def _clause(r, w):
    words = _noun_phrase(r, w)
    if r.chance(0.5):
        words.append(r.choice(w["verb"]))
        words += _noun_phrase(r, w)
    else:
        words.append(r.choice(w["iverb"]))
    if r.chance(0.4):
        words.append(r.choice(w["adv"]))
    if r.chance(0.2):
        words.append(str(r.below(100)))
    return words


def make_sentence(r, w):
    if r.chance(0.15):
        words = [r.choice(w["wh"])] + _clause(r, w)
        end = "?"
    else:
        words = _clause(r, w)
        while r.chance(0.25):
            words += [r.choice([",", "and", "but"])] + _clause(r, w)
        end = r.choice([".", ".", ".", "!"])
    words[0] = words[0][:1].upper() + words[0][1:]
    text = " ".join(words)
    return text.replace(" ,", ",") + end


def make_corpus(seed, words, n):
    r = Rand(seed)
    return [make_sentence(r, words) for _ in range(n)]


# ------------------------------------------------------------ sentencepiece

def train_spm(corpus_lines, vocab_size, workdir, name, normalization="identity", model_type="unigram",
              extra_options=()):
    """Trains a SentencePiece model (unigram or bpe); returns the bytes of name.model.
    `extra_options`: more spm_train flags (T5's special ids).

    Runs in `workdir` with relative paths: the model file records its trainer
    options (input, model_prefix), so absolute temporary paths would make the
    output differ between runs. `identity` normalisation keeps the file small
    (nmt_nfkc embeds a ~240 KB character map)."""
    with open(os.path.join(workdir, name + ".txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(corpus_lines) + "\n")
    cmd = ["spm_train", f"--input={name}.txt", f"--model_prefix={name}", f"--model_type={model_type}",
           f"--vocab_size={vocab_size}", "--character_coverage=1.0", "--num_threads=1",
           "--random_seed=1", "--input_sentence_size=0", "--shuffle_input_sentence=false",
           "--max_sentence_length=4192", f"--normalization_rule_name={normalization}"] + list(extra_options)
    res = subprocess.run(cmd, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if res.returncode != 0:
        raise RuntimeError("spm_train failed:\n" + res.stderr.decode("utf-8", "replace")[-3000:])
    with open(os.path.join(workdir, name + ".model"), "rb") as f:
        return f.read()


def spm_normal_pieces(model_bytes):
    """Pieces of a SentencePiece model in id order, without <unk>/<s>/</s>."""
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_proto=model_bytes)
    out = []
    for i in range(sp.get_piece_size()):
        if sp.is_unknown(i) or sp.is_control(i):
            continue
        out.append(sp.id_to_piece(i))
    return out


def build_vocab(piece_lists):
    """OPUS-MT layout: </s>=0, <unk>=1, the pieces (first occurrence order), <pad> last."""
    vocab = {"</s>": 0, "<unk>": 1}
    for pieces in piece_lists:
        for p in pieces:
            if p not in vocab:
                vocab[p] = len(vocab)
    vocab["<pad>"] = len(vocab)
    return vocab


# ------------------------------------------------------------------ models

# Shapes and features of each test model. `spm_vocab` is the size given to
# spm_train (its 3 special pieces are not in vocab.json).
# Weight knobs (see make_weights): `eos_bias` is added to the eos entry of
# final_logits_bias (`eos_embedding_gain` scales the eos embedding row where
# there is no bias), `self_attn_negate`, `qk_gain` and `self_qk_corr` shape the
# decoder attention. `weight_seed_offset` and the eos setting were chosen so
# that no golden decision is near a tie (make_golden.py checks this). Most
# models force eos at max_length (forced_eos_token_id, as OPUS-MT configs do);
# odd-defaults-f32 does not, so its hypotheses can reach max_length without eos.
MODELS = [
    {
        "name": "tiny-relu-tied-f32",
        "d_model": 48, "encoder_layers": 2, "decoder_layers": 1,
        "encoder_attention_heads": 1, "decoder_attention_heads": 3,
        "encoder_ffn_dim": 96, "decoder_ffn_dim": 64,
        "activation_function": "relu", "scale_embedding": True,
        "max_position_embeddings": 64, "separate_vocabs": False, "tie": True,
        "dtype": "F32", "spm_vocab": (130, 120), "source_normalization": "nmt_nfkc",
        "stored_positions": True, "final_logits_bias": True, "embed_copies": False,
        "eos_bias": 3.0, "weight_seed_offset": 20, "config_omit": [],
        "self_attn_negate": 3.0, "qk_gain": 3.0, "self_qk_corr": 0.8,
    },
    {
        "name": "swish-untied-f16",
        "d_model": 80, "encoder_layers": 1, "decoder_layers": 2,
        "encoder_attention_heads": 5, "decoder_attention_heads": 5,
        "encoder_ffn_dim": 160, "decoder_ffn_dim": 120,
        "activation_function": "swish", "scale_embedding": True,
        "max_position_embeddings": 256, "separate_vocabs": False, "tie": False,
        "dtype": "F16", "spm_vocab": (200, 180),
        "stored_positions": False, "final_logits_bias": True, "embed_copies": True,
        "eos_bias": 3.0, "weight_seed_offset": 4, "config_omit": [],
        "self_attn_negate": 3.0, "qk_gain": 3.0, "self_qk_corr": 0.8,
    },
    {
        "name": "gelu-separate-bf16",
        "d_model": 72, "encoder_layers": 2, "decoder_layers": 2,
        "encoder_attention_heads": 3, "decoder_attention_heads": 4,
        "encoder_ffn_dim": 144, "decoder_ffn_dim": 100,
        "activation_function": "gelu", "scale_embedding": True,
        "max_position_embeddings": 512, "separate_vocabs": True, "tie": True,
        "dtype": "BF16", "spm_vocab": (190, 190),
        "stored_positions": False, "final_logits_bias": True, "embed_copies": True,
        "eos_bias": 2.0, "weight_seed_offset": 9, "config_omit": [],
        "self_attn_negate": 3.0, "qk_gain": 3.0, "self_qk_corr": 0.8,
    },
    {
        # Odd d_model; config.json leaves several fields to their defaults
        # (activation gelu, scale_embedding false, tied, shared vocabulary,
        # eos 0, decoder_vocab_size = vocab_size, 1024 positions) and the file
        # has no final_logits_bias.
        "name": "odd-defaults-f32",
        "d_model": 45, "encoder_layers": 1, "decoder_layers": 1,
        "encoder_attention_heads": 3, "decoder_attention_heads": 5,
        "encoder_ffn_dim": 50, "decoder_ffn_dim": 70,
        "activation_function": "gelu", "scale_embedding": False,
        "max_position_embeddings": 1024, "separate_vocabs": False, "tie": True,
        "dtype": "F32", "spm_vocab": (110, 100),
        "stored_positions": False, "final_logits_bias": False, "embed_copies": False,
        "eos_bias": 0.0, "eos_embedding_gain": 2.0, "weight_seed_offset": 11,
        "self_attn_negate": 3.0, "qk_gain": 3.0, "self_qk_corr": 0.8,
        "config_omit": ["activation_function", "scale_embedding", "share_encoder_decoder_embeddings",
                        "tie_word_embeddings", "eos_token_id", "decoder_vocab_size",
                        "max_position_embeddings", "forced_eos_token_id"],
        # Without forced eos, hypotheses that reach max_length end there without eos.
        "generation_omit": ["forced_eos_token_id"],
    },
    {
        # Target-language tokens (>>por<< ...) in a vocabulary sorted like
        # opus-mt-tc-big's, so </s> and <unk> are not 0/1; generation rules of
        # tc-big (renormalize_logits, forced eos) plus banned tokens that the
        # greedy search would pick.
        "name": "multi-target-f32",
        "d_model": 64, "encoder_layers": 2, "decoder_layers": 2,
        "encoder_attention_heads": 4, "decoder_attention_heads": 4,
        "encoder_ffn_dim": 128, "decoder_ffn_dim": 96,
        "activation_function": "relu", "scale_embedding": True,
        "max_position_embeddings": 128, "separate_vocabs": False, "tie": True,
        "dtype": "F32", "spm_vocab": (140, 130), "languages": ["por", "pob", "spa"],
        "stored_positions": False, "final_logits_bias": True, "embed_copies": False,
        "eos_bias": 0.0, "weight_seed_offset": 4, "config_omit": [],
        "self_attn_negate": 3.0, "qk_gain": 3.0, "self_qk_corr": 0.8,
        "generation": {"renormalize_logits": True}, "ban_greedy_tokens": True,
    },
    {
        # Separate vocabularies of different sizes, written as transformers
        # writes them: no model.shared.weight, the decoder's embeddings tied to
        # the output projection.
        "name": "separate-noshared-f32",
        "d_model": 40, "encoder_layers": 1, "decoder_layers": 2,
        "encoder_attention_heads": 2, "decoder_attention_heads": 4,
        "encoder_ffn_dim": 80, "decoder_ffn_dim": 60,
        "activation_function": "swish", "scale_embedding": True,
        "max_position_embeddings": 128, "separate_vocabs": True, "no_shared": True, "tie": True,
        "dtype": "F32", "spm_vocab": (120, 170),
        "stored_positions": False, "final_logits_bias": True, "embed_copies": False,
        "eos_bias": 3.0, "weight_seed_offset": 0, "config_omit": [],
        "self_attn_negate": 3.0, "qk_gain": 3.0, "self_qk_corr": 0.8,
    },
]


def hf_config(spec, vocab_size, decoder_vocab_size, pad, eos=0):
    cfg = {
        "_name_or_path": spec["name"],
        "activation_dropout": 0.0,
        "activation_function": spec["activation_function"],
        "architectures": ["MarianMTModel"],
        "attention_dropout": 0.0,
        "bad_words_ids": [[pad]],
        "bos_token_id": 0,
        "classif_dropout": 0.0,
        "classifier_dropout": 0.0,
        "d_model": spec["d_model"],
        "decoder_attention_heads": spec["decoder_attention_heads"],
        "decoder_ffn_dim": spec["decoder_ffn_dim"],
        "decoder_layerdrop": 0.0,
        "decoder_layers": spec["decoder_layers"],
        "decoder_start_token_id": pad,
        "decoder_vocab_size": decoder_vocab_size,
        "dropout": 0.1,
        "encoder_attention_heads": spec["encoder_attention_heads"],
        "encoder_ffn_dim": spec["encoder_ffn_dim"],
        "encoder_layerdrop": 0.0,
        "encoder_layers": spec["encoder_layers"],
        "eos_token_id": eos,
        "forced_eos_token_id": eos,
        "init_std": 0.02,
        "is_encoder_decoder": True,
        "max_length": 64,
        "max_position_embeddings": spec["max_position_embeddings"],
        "model_type": "marian",
        "normalize_before": False,
        "normalize_embedding": False,
        "num_beams": 4,
        "num_hidden_layers": spec["encoder_layers"],
        "pad_token_id": pad,
        "scale_embedding": spec["scale_embedding"],
        "share_encoder_decoder_embeddings": not spec["separate_vocabs"],
        "static_position_embeddings": True,
        "tie_word_embeddings": spec["tie"],
        "torch_dtype": {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[spec["dtype"]],
        "use_cache": True,
        "vocab_size": vocab_size,
    }
    for k in spec["config_omit"]:
        del cfg[k]
    return cfg


def generation_config(pad, eos=0, extra=None):
    config = {
        "bad_words_ids": [[pad]],
        "bos_token_id": 0,
        "decoder_start_token_id": pad,
        "eos_token_id": eos,
        "forced_eos_token_id": eos,
        "max_length": 64,
        "num_beams": 4,
        "pad_token_id": pad,
    }
    config.update(extra or {})
    return config


def make_weights(spec, V, Vt, seed, eos=0, pad=None):
    """Random weights (float64) under the Hugging Face names.

    Scales: linear weights N(0, 1/in) so activations stay O(1); embedding and
    lm_head rows of equal norm 3 so that logits have a standard deviation of
    about 3 (well separated decisions); LayerNorm gains 1 + N(0, 0.1^2); the
    query/key maps of the decoder attentions scaled by `qk_gain`."""
    rng = np.random.RandomState(seed)
    d = spec["d_model"]
    pad = Vt - 1 if pad is None else pad
    t = {}

    def linear(name, n_out, n_in):
        t[name + ".weight"] = rng.standard_normal((n_out, n_in)) / np.sqrt(n_in)
        t[name + ".bias"] = rng.standard_normal(n_out) * 0.1

    def layer_norm(name):
        t[name + ".weight"] = 1.0 + rng.standard_normal(d) * 0.1
        t[name + ".bias"] = rng.standard_normal(d) * 0.1

    emb_std = spec.get("embedding_std", 3.0) / np.sqrt(d)

    def embedding(n):
        # Rows of equal norm: no token is favoured by a longer vector.
        e = rng.standard_normal((n, d))
        return e / np.linalg.norm(e, axis=1, keepdims=True) * (emb_std * np.sqrt(d))

    shared = embedding(V)
    if not spec.get("no_shared"):
        t["model.shared.weight"] = shared
    if spec["separate_vocabs"]:
        dec_emb = embedding(Vt)
    else:
        dec_emb = shared
    eos_gain = spec.get("eos_embedding_gain")
    if eos_gain:
        dec_emb[eos] *= eos_gain  # a longer eos vector gives eos a wider logit spread
    if spec.get("no_shared"):
        # Separate vocabularies as transformers writes them: model.shared is None.
        t["model.encoder.embed_tokens.weight"] = shared
        t["model.decoder.embed_tokens.weight"] = dec_emb
    elif spec["embed_copies"]:
        t["model.encoder.embed_tokens.weight"] = shared
        t["model.decoder.embed_tokens.weight"] = dec_emb
    elif spec["separate_vocabs"]:
        t["model.decoder.embed_tokens.weight"] = dec_emb
    if not spec["tie"]:
        t["lm_head.weight"] = embedding(Vt)
    if spec["final_logits_bias"]:
        bias = rng.standard_normal((1, Vt)) * spec.get("bias_std", 0.3)
        bias[0, eos] += spec["eos_bias"]
        bias[0, pad] = 0.0  # pad column (never generated)
        t["final_logits_bias"] = bias
    if spec["stored_positions"]:
        # Stored tables are the sinusoids plus a visible perturbation, so that a
        # loader that recomputes instead of reading them fails the golden tests.
        P = spec["max_position_embeddings"]
        base = sinusoidal_positions(P, d)
        t["model.encoder.embed_positions.weight"] = base + rng.standard_normal((P, d)) * 0.05
        t["model.decoder.embed_positions.weight"] = base + rng.standard_normal((P, d)) * 0.05

    for i in range(spec["encoder_layers"]):
        p = f"model.encoder.layers.{i}."
        for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
            linear(p + "self_attn." + proj, d, d)
        layer_norm(p + "self_attn_layer_norm")
        linear(p + "fc1", spec["encoder_ffn_dim"], d)
        linear(p + "fc2", d, spec["encoder_ffn_dim"])
        layer_norm(p + "final_layer_norm")
    for i in range(spec["decoder_layers"]):
        p = f"model.decoder.layers.{i}."
        for att in ("self_attn", "encoder_attn"):
            for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
                linear(p + att + "." + proj, d, d)
                if proj in ("q_proj", "k_proj"):
                    # Sharper attention than the 1/in default.
                    t[p + att + "." + proj + ".weight"] *= spec.get("qk_gain", 1.0)
            last_layer = i == spec["decoder_layers"] - 1
            neg = spec.get("self_attn_negate", 0.0) if att == "self_attn" and last_layer else 0.0
            if neg:
                # out_proj . v_proj = -neg * I + noise in the last layer: attending
                # to a position subtracts its token, which discourages repeating
                # recent tokens (random models otherwise repeat one token).
                q_mat, _ = np.linalg.qr(rng.standard_normal((d, d)))
                t[p + att + ".v_proj.weight"] = q_mat
                t[p + att + ".out_proj.weight"] = -neg * q_mat.T + rng.standard_normal((d, d)) / np.sqrt(d)
            corr = spec.get("self_qk_corr", 0.0) if att == "self_attn" else 0.0
            if corr:
                # Correlated query and key maps make each position attend to
                # itself (and to equal tokens) more than to the rest.
                q, k = t[p + att + ".q_proj.weight"], t[p + att + ".k_proj.weight"]
                t[p + att + ".k_proj.weight"] = corr * q + np.sqrt(1.0 - corr * corr) * k
            layer_norm(p + att + "_layer_norm")
        linear(p + "fc1", spec["decoder_ffn_dim"], d)
        linear(p + "fc2", d, spec["decoder_ffn_dim"])
        layer_norm(p + "final_layer_norm")
    # The other families' tensors, drawn after Marian's so that Marian models keep
    # their stream.
    arch = families.architecture(spec.get("model_type", "marian"))
    for side in ("encoder", "decoder"):
        if arch.layernorm_embedding:
            layer_norm(f"model.{side}.layernorm_embedding")
        if arch.final_layer_norm:
            layer_norm(f"model.{side}.layer_norm")
        if arch.positions == "learned":
            P = spec["max_position_embeddings"] + 2
            t[f"model.{side}.embed_positions.weight"] = rng.standard_normal((P, d)) * spec.get(
                "position_std", 0.2)
    return t


def write_json(path, obj, indent=2, sort_keys=True):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=indent, sort_keys=sort_keys, ensure_ascii=False)
        f.write("\n")


def build_sorted_vocab(pieces, languages):
    """tc-big layout: every piece, the language tokens and </s>, <unk> sorted by
    their text (so the special tokens land in the middle), <pad> last."""
    names = sorted(set(pieces) | {f">>{code}<<" for code in languages} | {"</s>", "<unk>"})
    vocab = {p: i for i, p in enumerate(names)}
    vocab["<pad>"] = len(vocab)
    return vocab


def build_target_vocab_with_pad_at(pieces, pad):
    """A separate target vocabulary of another size whose <pad> has the id `pad`
    (the one pad_token_id of config.json): </s>=0, <unk>=1, pieces, <pad> at
    `pad`, the remaining pieces after it."""
    vocab = {"</s>": 0, "<unk>": 1}
    for p in pieces:
        if len(vocab) == pad:
            vocab["<pad>"] = pad
        if p not in vocab:
            vocab[p] = len(vocab)
    if "<pad>" not in vocab or len(vocab) <= pad + 1:
        raise ValueError("the target vocabulary must be larger than the source one")
    return vocab


def make_model(spec, index, out_root, workdir):
    seed = SEED + 1000 * index
    out = os.path.join(out_root, spec["name"])
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    src_corpus = make_corpus(seed + 1, EN, 1500)
    tgt_corpus = make_corpus(seed + 2, DE, 1500)
    src_spm = train_spm(src_corpus, spec["spm_vocab"][0], workdir, "source",
                        spec.get("source_normalization", "identity"))
    tgt_spm = train_spm(tgt_corpus, spec["spm_vocab"][1], workdir, "target")
    src_pieces = spm_normal_pieces(src_spm)
    tgt_pieces = spm_normal_pieces(tgt_spm)
    if spec["separate_vocabs"]:
        vocab = build_vocab([src_pieces])
        if spec.get("no_shared"):
            target_vocab = build_target_vocab_with_pad_at(tgt_pieces, len(vocab) - 1)
        else:
            target_vocab = build_vocab([tgt_pieces])
            if len(vocab) != len(target_vocab):
                # pad_token_id = decoder_start_token_id is one id for both vocabularies,
                # and <pad> is the last entry of each: the sizes must agree.
                raise ValueError("separate vocabularies must have equal sizes")
    elif spec.get("languages"):
        vocab = build_sorted_vocab(src_pieces + tgt_pieces, spec["languages"])
        target_vocab = vocab
    else:
        vocab = build_vocab([src_pieces, tgt_pieces])
        target_vocab = vocab
    V, Vt = len(vocab), len(target_vocab)
    pad = vocab["<pad>"]
    eos = vocab["</s>"]
    with open(os.path.join(out, "source.spm"), "wb") as f:
        f.write(src_spm)
    with open(os.path.join(out, "target.spm"), "wb") as f:
        f.write(tgt_spm)
    # Vocabularies are written in id order, as OPUS-MT's are.
    write_json(os.path.join(out, "vocab.json"), vocab, sort_keys=False)
    if spec["separate_vocabs"]:
        write_json(os.path.join(out, "target_vocab.json"), target_vocab, sort_keys=False)
    write_json(os.path.join(out, "config.json"), hf_config(spec, V, Vt, pad, eos))
    weights = make_weights(spec, V, Vt, seed + 3 + spec.get("weight_seed_offset", 0), eos=eos, pad=pad)
    safetensors_io.save_file(weights, os.path.join(out, "model.safetensors"), dtype=spec["dtype"],
                             metadata={"format": "pt"})
    generation = generation_config(pad, eos, spec.get("generation", {}))
    for k in spec.get("generation_omit", []):
        del generation[k]
    if spec.get("ban_greedy_tokens"):
        generation["bad_words_ids"] += choose_banned_tokens(out, generation, vocab, spec["languages"][0])
    write_json(os.path.join(out, "generation_config.json"), generation)
    return {"name": spec["name"], "vocab_size": V, "decoder_vocab_size": Vt}


def choose_banned_tokens(model_dir, generation, vocab, language):
    """bad_words_ids that change greedy outputs: a token the model picks for
    BAN_SENTENCES[0], and a pair of consecutive tokens it then picks for the
    first of the others that has one (a sequence of two: its second token is
    banned after the first). Tokens of GOLDEN_TARGET_PREFIX are not banned: the golden data
    forces them."""
    import torch
    from tserve_ref import decoding
    from tserve_ref.generation import GenerationRules
    from tserve_ref.marian import MarianMTModel
    import sentencepiece as spm

    write_json(os.path.join(model_dir, "generation_config.json"), generation)
    model = MarianMTModel.from_pretrained(model_dir).double().eval()
    sp = spm.SentencePieceProcessor(model_file=os.path.join(model_dir, "source.spm"))
    target_sp = spm.SentencePieceProcessor(model_file=os.path.join(model_dir, "target.spm"))
    forced = {vocab[p] for p in target_sp.encode(GOLDEN_TARGET_PREFIX, out_type=str) if p in vocab}

    def source(text):
        pieces = sp.encode(text, out_type=str)
        return [vocab[f">>{language}<<"]] + [vocab.get(p, vocab["<unk>"]) for p in pieces] + [vocab["</s>"]]

    with torch.no_grad():
        first_ids = decoding.greedy(model, [source(BAN_SENTENCES[0])], max_length=8)[0].ids
        first = next(t for t in first_ids if t not in forced)
        model.generation = GenerationRules.from_dicts(
            model.config, {"bad_words_ids": generation["bad_words_ids"] + [[first]]})
        pairs = []
        for sentence in BAN_SENTENCES[1:]:
            ids = decoding.greedy(model, [source(sentence)], max_length=20)[0].ids
            pairs += [ids[k:k + 2] for k in range(len(ids) - 1) if ids[k + 1] not in forced]
        pair = pairs[0]
    return [[first], pair]


# The target prefix that tools/make_golden.py forces in its golden cases.
GOLDEN_TARGET_PREFIX = "Der alte"


# A model with target-language tokens bans tokens its greedy search picks for
# these sentences (see choose_banned_tokens).
BAN_SENTENCES = ["The old dog sleeps.", "A small cat waits near the river.",
                 "Why does the young teacher never answer the question?"]


# Other checkpoint layouts of some models: the same weights as the model's
# model.safetensors, written as transformers writes pytorch_model.bin (tied
# weights as views of one storage) or as shards with an index.
TIED_SHARED = ["model.shared.weight", "model.encoder.embed_tokens.weight",
               "model.decoder.embed_tokens.weight"]
LAYOUTS = [
    {"name": "tiny-relu-tied-f32-bin", "base": "tiny-relu-tied-f32", "format": "bin",
     "tie": TIED_SHARED + ["lm_head.weight"]},
    {"name": "swish-untied-f16-bin", "base": "swish-untied-f16", "format": "bin", "tie": TIED_SHARED},
    {"name": "gelu-separate-bf16-sharded", "base": "gelu-separate-bf16", "format": "safetensors",
     "shards": 3},
    {"name": "odd-defaults-f32-bin-sharded", "base": "odd-defaults-f32", "format": "bin", "shards": 2,
     "tie": TIED_SHARED + ["lm_head.weight"]},
]


def make_layout(layout, out_root):
    from tserve_ref import checkpoint
    base = os.path.join(out_root, layout["base"])
    out = os.path.join(out_root, layout["name"])
    if os.path.isdir(out):
        shutil.rmtree(out)
    shutil.copytree(base, out, ignore=shutil.ignore_patterns("model.safetensors"))
    tensors, dtypes, _ = safetensors_io.load_file(os.path.join(base, "model.safetensors"))
    dtype = dtypes[sorted(tensors)[0]]
    names = sorted(tensors)
    shards = layout.get("shards", 1)
    # Shards of consecutive names; a tied group stays in the shard of its first name.
    groups = [names[i * len(names) // shards:(i + 1) * len(names) // shards] for i in range(shards)]
    tie = layout.get("tie", [])
    if layout["format"] == "safetensors":
        files = checkpoint.shard_names(shards, "safetensors")
        weight_map, total = {}, 0
        for file, group in zip(files, groups):
            part = {n: tensors[n] for n in group}
            safetensors_io.save_file(part, os.path.join(out, file), dtype=dtype, metadata={"format": "pt"})
            weight_map.update({n: file for n in group})
            total += sum(tensors[n].size for n in group) * (4 if dtype == "F32" else 2)
        checkpoint.write_index(os.path.join(out, checkpoint.SAFETENSORS_INDEX), weight_map, total)
        return
    owner = tie[0] if tie else None
    files = [checkpoint.TORCH_BIN] if shards == 1 else checkpoint.shard_names(shards, "bin")
    weight_map, total = {}, 0
    for k, (file, group) in enumerate(zip(files, groups)):
        part = {n: tensors[n] for n in group if n not in tie}
        tie_groups = []
        if owner is not None and k == 0:
            part[owner] = tensors[owner]
            tie_groups = [tie]
        state = checkpoint.torch_state_dict(part, dtype, tie_groups)
        checkpoint.save_bin(state, os.path.join(out, file))
        weight_map.update({n: file for n in state})
        total += sum(tensors[n].size for n in part) * (4 if dtype == "F32" else 2)
    if shards > 1:
        checkpoint.write_index(os.path.join(out, checkpoint.TORCH_BIN_INDEX), weight_map, total)


# --------------------------------------------------------- other families

# Random models of the other families in their published layouts. Common
# knobs as in MODELS; `model_type` picks the family (tools/tserve_ref/families.py),
# `format` the checkpoint file, `tokenizer` the tokenizer files:
#   "nllb":  sentencepiece.bpe.model (BPE) with fairseq's ids (<s>=0 <pad>=1
#            </s>=2 <unk>=3, pieces shifted by one, language codes after the
#            pieces, <mask> last), tokenizer_config.json, special_tokens_map.json;
#   "m2m100": sentencepiece.bpe.model + vocab.json (<s> <pad> </s> <unk>, the
#            pieces; the language tokens __xx__ follow the vocabulary);
#   "mbart": as nllb with mBART-50's codes;
#   None:    no tokenizer files (BART's GPT-2 byte-level BPE is not made here;
#            its goldens use fixed token ids).
# What every model of FAMILY_MODELS shares.
_FAMILY_COMMON = {"separate_vocabs": False, "tie": True, "dtype": "F32", "stored_positions": False,
                  "embed_copies": False, "qk_gain": 3.0, "self_qk_corr": 0.8}
FAMILY_MODELS = [
    {
        **_FAMILY_COMMON,
        # NLLB-200's layout: pre-LayerNorm, final norms, scaled embeddings, relu,
        # tied embeddings, no final_logits_bias, safetensors.
        "name": "nllb-layout-f32", "model_type": "m2m_100", "architectures": ["M2M100ForConditionalGeneration"],
        "d_model": 64, "encoder_layers": 2, "decoder_layers": 2,
        "encoder_attention_heads": 4, "decoder_attention_heads": 4,
        "encoder_ffn_dim": 128, "decoder_ffn_dim": 96,
        "activation_function": "relu", "scale_embedding": True,
        "max_position_embeddings": 128, "spm_vocab": 220, "tokenizer": "nllb", "format": "safetensors",
        "languages": ["eng_Latn", "deu_Latn", "fra_Latn"],
        "final_logits_bias": False, "eos_bias": 0.0, "eos_embedding_gain": 3.0, "weight_seed_offset": 0,
        "self_attn_negate": 6.0,
    },
    {
        **_FAMILY_COMMON,
        # M2M100's layout: the same architecture, pytorch_model.bin with the tied
        # embeddings as views of one storage, vocab.json, odd head counts.
        "name": "m2m100-layout-f32", "model_type": "m2m_100", "architectures": ["M2M100ForConditionalGeneration"],
        "d_model": 40, "encoder_layers": 1, "decoder_layers": 2,
        "encoder_attention_heads": 5, "decoder_attention_heads": 2,
        "encoder_ffn_dim": 80, "decoder_ffn_dim": 72,
        "activation_function": "relu", "scale_embedding": True,
        "max_position_embeddings": 96, "spm_vocab": 180, "tokenizer": "m2m100", "format": "bin",
        "languages": ["en", "de", "fr"],
        "final_logits_bias": False, "eos_bias": 0.0, "eos_embedding_gain": 4.0, "weight_seed_offset": 2,
        "self_attn_negate": 6.0,
    },
    {
        **_FAMILY_COMMON,
        # BART's layout: post-LayerNorm, embedding LayerNorm, learned positions
        # (offset 2), gelu, final_logits_bias, unscaled embeddings.
        "name": "bart-layout-f32", "model_type": "bart", "architectures": ["BartForConditionalGeneration"],
        "d_model": 48, "encoder_layers": 2, "decoder_layers": 1,
        "encoder_attention_heads": 3, "decoder_attention_heads": 4,
        "encoder_ffn_dim": 96, "decoder_ffn_dim": 64,
        "activation_function": "gelu", "scale_embedding": False,
        "max_position_embeddings": 64, "vocab_size": 160, "tokenizer": None, "format": "safetensors",
        "final_logits_bias": True, "eos_bias": 5.0, "weight_seed_offset": 0,
        "self_attn_negate": 3.0,
    },
    {
        **_FAMILY_COMMON,
        # mBART-50's layout: pre-LayerNorm with final and embedding LayerNorms,
        # learned positions, scaled embeddings, the target language forced by
        # forced_bos_token_id in generation_config.json.
        "name": "mbart-layout-f32", "model_type": "mbart", "architectures": ["MBartForConditionalGeneration"],
        "d_model": 56, "encoder_layers": 2, "decoder_layers": 2,
        "encoder_attention_heads": 4, "decoder_attention_heads": 7,
        "encoder_ffn_dim": 112, "decoder_ffn_dim": 80,
        "activation_function": "gelu", "scale_embedding": True,
        "max_position_embeddings": 80, "spm_vocab": 200, "tokenizer": "mbart", "format": "safetensors",
        "languages": ["en_XX", "de_DE", "fr_XX"], "forced_bos_language": "de_DE",
        "final_logits_bias": True, "eos_bias": 4.0, "eos_embedding_gain": 2.0, "weight_seed_offset": 0,
        "self_attn_negate": 3.0,
    },
]
FAIRSEQ_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]


def language_token(spec, code):
    return f"__{code}__" if spec["tokenizer"] == "m2m100" else code


def family_vocab(spec, spm_model):
    """fairseq's ids: the four specials, the pieces (SentencePiece id + 1), the
    language tokens, <mask> (not for M2M100)."""
    vocab = {p: i for i, p in enumerate(FAIRSEQ_SPECIALS)}
    for p in spm_normal_pieces(spm_model):
        vocab[p] = len(vocab)
    pieces = dict(vocab)
    for code in spec.get("languages", []):
        vocab[language_token(spec, code)] = len(vocab)
    if spec["tokenizer"] in ("nllb", "mbart"):
        vocab["<mask>"] = len(vocab)
    return vocab, pieces


def family_config(spec, V, forced_bos=None):
    cfg = {
        "_name_or_path": spec["name"],
        "activation_dropout": 0.0,
        "activation_function": spec["activation_function"],
        "architectures": spec["architectures"],
        "attention_dropout": 0.1,
        "bos_token_id": 0,
        "d_model": spec["d_model"],
        "decoder_attention_heads": spec["decoder_attention_heads"],
        "decoder_ffn_dim": spec["decoder_ffn_dim"],
        "decoder_layerdrop": 0,
        "decoder_layers": spec["decoder_layers"],
        "decoder_start_token_id": 2,
        "dropout": 0.1,
        "encoder_attention_heads": spec["encoder_attention_heads"],
        "encoder_ffn_dim": spec["encoder_ffn_dim"],
        "encoder_layerdrop": 0,
        "encoder_layers": spec["encoder_layers"],
        "eos_token_id": 2,
        "init_std": 0.02,
        "is_encoder_decoder": True,
        "max_length": 64,
        "max_position_embeddings": spec["max_position_embeddings"],
        "model_type": spec["model_type"],
        "num_hidden_layers": spec["encoder_layers"],
        "pad_token_id": 1,
        "scale_embedding": spec["scale_embedding"],
        "torch_dtype": "float32",
        "use_cache": True,
        "vocab_size": V,
    }
    if spec["model_type"] in ("bart", "mbart"):
        arch = families.architecture(spec["model_type"])
        # fairseq's flags, as BART's and mBART's published configs carry them.
        cfg.update({"add_final_layer_norm": arch.final_layer_norm, "normalize_before": arch.pre_norm,
                    "normalize_embedding": arch.layernorm_embedding, "forced_eos_token_id": 2,
                    "static_position_embeddings": False})
    if spec["tokenizer"] == "nllb":
        cfg["tokenizer_class"] = "NllbTokenizer"
    return cfg


def family_generation_config(spec, forced_bos):
    g = {"bos_token_id": 0, "decoder_start_token_id": 2, "eos_token_id": 2, "max_length": 64,
         "pad_token_id": 1}
    if spec["model_type"] in ("bart", "mbart"):
        g["forced_eos_token_id"] = 2
    if forced_bos is not None:
        g["forced_bos_token_id"] = forced_bos
    return g


def write_family_tokenizer(spec, out, spm_model, vocab, pieces):
    with open(os.path.join(out, "sentencepiece.bpe.model"), "wb") as f:
        f.write(spm_model)
    codes = [language_token(spec, c) for c in spec["languages"]]
    specials = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
                "sep_token": "</s>", "cls_token": "<s>", "additional_special_tokens": codes}
    if "<mask>" in vocab:
        specials["mask_token"] = "<mask>"
    classes = {"nllb": "NllbTokenizer", "m2m100": "M2M100Tokenizer", "mbart": "MBart50Tokenizer"}
    tok_cfg = dict(specials, model_max_length=spec["max_position_embeddings"], sp_model_kwargs={},
                   src_lang=None, tgt_lang=None, tokenizer_class=classes[spec["tokenizer"]])
    if spec["tokenizer"] == "nllb":
        tok_cfg["legacy_behaviour"] = False
    if spec["tokenizer"] == "m2m100":
        tok_cfg["language_codes"] = "m2m100"
        write_json(os.path.join(out, "vocab.json"), pieces, sort_keys=False)
    write_json(os.path.join(out, "special_tokens_map.json"), specials)
    write_json(os.path.join(out, "tokenizer_config.json"), tok_cfg)
    if spec["tokenizer"] == "nllb":
        # The fast tokenizer's file, as NLLB's repositories ship it: the same ids.
        from tserve_ref.tokenizer import NllbTokenizer, fast_tokenizer_json
        write_json(os.path.join(out, "tokenizer.json"), fast_tokenizer_json(NllbTokenizer(out)),
                   sort_keys=False)


def make_family_model(spec, index, out_root, workdir):
    from tserve_ref import checkpoint
    seed = SEED + 50000 + 1000 * index
    out = os.path.join(out_root, spec["name"])
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    if spec["tokenizer"] is not None:
        corpus = make_corpus(seed + 1, EN, 1000) + make_corpus(seed + 2, DE, 1000)
        spm_model = train_spm(corpus, spec["spm_vocab"], workdir, "sentencepiece.bpe", model_type="bpe")
        vocab, pieces = family_vocab(spec, spm_model)
        write_family_tokenizer(spec, out, spm_model, vocab, pieces)
        V = len(vocab)
    else:
        V = spec["vocab_size"]
    forced_bos = None
    if spec.get("forced_bos_language"):
        forced_bos = vocab[language_token(spec, spec["forced_bos_language"])]
    write_json(os.path.join(out, "config.json"), family_config(spec, V))
    write_json(os.path.join(out, "generation_config.json"), family_generation_config(spec, forced_bos))
    weights = make_weights(spec, V, V, seed + 3 + spec.get("weight_seed_offset", 0), eos=2, pad=1)
    if spec["format"] == "safetensors":
        safetensors_io.save_file(weights, os.path.join(out, "model.safetensors"), dtype=spec["dtype"],
                                 metadata={"format": "pt"})
    else:
        # As transformers saves it: every tied name a view of model.shared's storage.
        tie = TIED_SHARED + ["lm_head.weight"]
        state = checkpoint.torch_state_dict(weights, spec["dtype"], [tie])
        checkpoint.save_bin(state, os.path.join(out, checkpoint.TORCH_BIN))
    return {"name": spec["name"], "vocab_size": V, "decoder_vocab_size": V}


# ------------------------------------------------------------------ T5 family

# T5 and mT5 in their published layouts (tools/tserve_ref/t5.py). Shapes:
# `num_layers` / `num_decoder_layers` (None: left out of config.json, so it defaults
# to num_layers), `d_kv` * `num_heads` may differ from `d_model`; `buckets` /
# `max_distance` the relative-attention buckets (max_distance None: left out, the
# default 128); `spm_vocab` the pieces of spiece.model (pad 0, eos 1, unk 2),
# `extra_ids` the sentinels after them, `spare_rows` embedding rows beyond the
# tokenizer (as 32128 > 32100 in T5). Weight knobs: `output_norm` (row norm of the
# output matrix, giving logits of standard deviation ~3), `eos_gain` (the eos output
# row's norm factor), `sentinel_gain` (sentinel and spare output rows, rarely chosen
# then), `rel_bias_std`, `qk_gain`, `self_qk_corr`, `self_attn_negate` as in
# make_weights; `weight_seed_offset` and the eos gain were chosen so that no golden
# decision is near a tie (make_golden.py checks this).
T5_TASK_PREFIX = "translate English to German: "
_T5_COMMON = {"qk_gain": 1.5, "self_qk_corr": 0.6, "rel_bias_std": 1.0, "sentinel_gain": 0.5, "output_norm": 3.5,
              "weight_seed_offset": 0}
T5_MODELS = [
    {
        **_T5_COMMON,
        # t5-small's layout (T5 v1.0): relu, tied embeddings (the decoder output scaled
        # by d_model**-0.5), model.safetensors with shared.weight only and the unused
        # cross-attention relative_attention_bias of the first decoder block that the
        # original checkpoints carry. max_distance 20: the logarithmic buckets and
        # their saturation both occur in sentences of 20-40 tokens.
        "name": "t5-layout-f32", "model_type": "t5", "architectures": ["T5ForConditionalGeneration"],
        "d_model": 64, "d_kv": 16, "num_heads": 4, "d_ff": 128, "num_layers": 2, "num_decoder_layers": 2,
        "feed_forward_proj": "relu", "tie": True, "buckets": 32, "max_distance": 20,
        "spm_vocab": 200, "extra_ids": 100, "spare_rows": 4, "dtype": "F32", "format": "safetensors",
        "dead_cross_attention_bias": True, "eos_gain": 1.3, "self_attn_negate": 6.0, "weight_seed_offset": 11,
    },
    {
        **_T5_COMMON,
        # Flan-T5 / T5 v1.1: gated-gelu (gelu_new), untied lm_head.weight, num_heads *
        # d_kv (48) != d_model (64), fewer decoder than encoder layers, bfloat16.
        "name": "flan-t5-layout-bf16", "model_type": "t5", "architectures": ["T5ForConditionalGeneration"],
        "d_model": 64, "d_kv": 16, "num_heads": 3, "d_ff": 128, "num_layers": 2, "num_decoder_layers": 1,
        "feed_forward_proj": "gated-gelu", "tie": False, "buckets": 16, "max_distance": 24,
        "spm_vocab": 200, "extra_ids": 100, "spare_rows": 4, "dtype": "BF16", "format": "safetensors",
        "eos_gain": 1.6, "self_attn_negate": 3.0, "weight_seed_offset": 6,
    },
    {
        **_T5_COMMON,
        # mT5: model_type mt5, gated-gelu, untied, pytorch_model.bin (shared.weight with
        # decoder.embed_tokens.weight a view of its storage, lm_head.weight), a larger
        # vocabulary, no sentinels in the tokenizer (extra_ids 0, as google/mt5-*),
        # 12 spare rows (250112 - 250100), num_decoder_layers and
        # relative_attention_max_distance left to their defaults.
        "name": "mt5-layout-f32", "model_type": "mt5", "architectures": ["MT5ForConditionalGeneration"],
        "d_model": 40, "d_kv": 8, "num_heads": 5, "d_ff": 80, "num_layers": 2, "num_decoder_layers": None,
        "feed_forward_proj": "gated-gelu", "tie": False, "buckets": 32, "max_distance": None,
        "spm_vocab": 400, "extra_ids": 0, "spare_rows": 12, "dtype": "F32", "format": "bin",
        "eos_gain": 1.3, "self_attn_negate": 3.0, "weight_seed_offset": 8,
    },
    {
        **_T5_COMMON,
        # sentence-transformers/sentence-t5-base's layout: T5EncoderModel (relu) with
        # shared.weight and the encoder only, mean pooling, a Dense layer without bias
        # (Identity, d_model 56 -> 48), Normalize.
        "name": "sentence-t5-layout-f32", "model_type": "t5", "architectures": ["T5EncoderModel"],
        "d_model": 56, "d_kv": 14, "num_heads": 4, "d_ff": 112, "num_layers": 2, "num_decoder_layers": 2,
        "feed_forward_proj": "relu", "tie": True, "buckets": 32, "max_distance": 32,
        "spm_vocab": 200, "extra_ids": 100, "spare_rows": 4, "dtype": "F32", "format": "safetensors",
        "encoder_only": True, "dense_out": 48, "eos_gain": 1.0,
    },
]
T5_SPM_OPTIONS = ("--pad_id=0", "--eos_id=1", "--unk_id=2", "--bos_id=-1")


def t5_corpus(seed):
    """English and German lines; every fifth English line carries the Flan-style task
    prefix."""
    en = make_corpus(seed + 1, EN, 1200)
    en = [T5_TASK_PREFIX + line if i % 5 == 0 else line for i, line in enumerate(en)]
    return en + make_corpus(seed + 2, DE, 1200)


def t5_config(spec, V):
    cfg = {
        "_name_or_path": spec["name"],
        "architectures": spec["architectures"],
        "classifier_dropout": 0.0,
        "d_ff": spec["d_ff"],
        "d_kv": spec["d_kv"],
        "d_model": spec["d_model"],
        "decoder_start_token_id": 0,
        "dropout_rate": 0.1,
        "eos_token_id": 1,
        "feed_forward_proj": spec["feed_forward_proj"],
        "initializer_factor": 1.0,
        "is_encoder_decoder": True,
        "layer_norm_epsilon": 1e-06,
        "model_type": spec["model_type"],
        "num_heads": spec["num_heads"],
        "num_layers": spec["num_layers"],
        "pad_token_id": 0,
        "relative_attention_num_buckets": spec["buckets"],
        "tie_word_embeddings": spec["tie"],
        "tokenizer_class": "T5Tokenizer",
        "torch_dtype": {"F32": "float32", "BF16": "bfloat16"}[spec["dtype"]],
        "use_cache": True,
        "vocab_size": V,
    }
    if spec["num_decoder_layers"] is not None:
        cfg["num_decoder_layers"] = spec["num_decoder_layers"]
    if spec["max_distance"] is not None:
        cfg["relative_attention_max_distance"] = spec["max_distance"]
    act, gated = parse_feed_forward_proj(spec["feed_forward_proj"])
    if spec["model_type"] == "t5" and gated:
        # As transformers >= 4.2x writes T5 v1.1 / Flan-T5 configs.
        cfg.update({"dense_act_fn": act, "is_gated_act": gated})
    if spec["model_type"] == "t5" and spec["tie"]:
        del cfg["tie_word_embeddings"]  # T5Config's default (true), as t5-small's config
    if spec["model_type"] == "t5":
        del cfg["tokenizer_class"]
        cfg["n_positions"] = 512
        cfg["output_past"] = True
    return cfg


def t5_special_tokens(spec):
    sentinels = [f"<extra_id_{n}>" for n in range(spec["extra_ids"])]
    specials = {"eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>"}
    if sentinels:
        specials["additional_special_tokens"] = sentinels
    tok_cfg = dict(specials, extra_ids=spec["extra_ids"], model_max_length=512, sp_model_kwargs={},
                   tokenizer_class="T5Tokenizer")
    if not sentinels:
        tok_cfg["additional_special_tokens"] = None  # as google/mt5-* ship it
        del tok_cfg["model_max_length"]
    return specials, tok_cfg


def write_t5_tokenizer(spec, out, spm_model):
    from tserve_ref.t5_tokenizer import T5Tokenizer
    with open(os.path.join(out, "spiece.model"), "wb") as f:
        f.write(spm_model)
    specials, tok_cfg = t5_special_tokens(spec)
    write_json(os.path.join(out, "special_tokens_map.json"), specials)
    write_json(os.path.join(out, "tokenizer_config.json"), tok_cfg)
    write_json(os.path.join(out, "tokenizer.json"), T5Tokenizer(out).fast_tokenizer_json(), sort_keys=False)


def make_t5_weights(spec, V, n_tokenizer, seed):
    """Random T5 weights (float64) under the Hugging Face names. Linear maps
    N(0, 1/in), the queries also scaled by d_kv**-0.5 (T5 folds the attention scaling
    into its initialisation) and by `qk_gain` in the decoder; RMSNorm gains
    1 + N(0, 0.1^2); relative attention biases N(0, rel_bias_std^2); output rows of
    equal norm (untied: output_norm; tied: the embedding rows, undoing
    the tied d_model**-0.5 scaling: rows of RMS 1 and the decoder's final norm gains
    times output_norm), eos row times eos_gain, sentinel and spare rows times
    sentinel_gain; the last decoder layer's self-attention subtracts the attended
    tokens (self_attn_negate) and its query and key maps are correlated (self_qk_corr),
    as make_weights does for the other families."""
    rng = np.random.RandomState(seed)
    d, dk, H, ff = spec["d_model"], spec["d_kv"], spec["num_heads"], spec["d_ff"]
    inner = H * dk
    t = {}

    def linear(name, n_out, n_in, scale=1.0):
        t[name + ".weight"] = rng.standard_normal((n_out, n_in)) / np.sqrt(n_in) * scale

    def norm(name):
        t[name + ".weight"] = 1.0 + rng.standard_normal(d) * 0.1

    def rows(n, norm_value):
        e = rng.standard_normal((n, d))
        return e / np.linalg.norm(e, axis=1, keepdims=True) * norm_value

    def output_gains(e):
        e[1] *= spec["eos_gain"]
        e[n_tokenizer - spec["extra_ids"]:] *= spec["sentinel_gain"]
        return e

    out_norm = spec.get("output_norm", 3.0)
    if spec["tie"]:
        # Rows of RMS 1; the decoder's final norm gain (below) gives the logit spread.
        t["shared.weight"] = output_gains(rows(V, np.sqrt(d)))
    else:
        t["shared.weight"] = rows(V, np.sqrt(d))
        if not spec.get("encoder_only"):
            t["lm_head.weight"] = output_gains(rows(V, out_norm))

    def attention(prefix, causal_last=False, gain=1.0, has_bias=False):
        linear(prefix + ".q", inner, d, gain / np.sqrt(dk))
        linear(prefix + ".k", inner, d, gain)
        linear(prefix + ".v", inner, d)
        linear(prefix + ".o", d, inner)
        if has_bias:
            t[prefix + ".relative_attention_bias.weight"] = (
                rng.standard_normal((spec["buckets"], H)) * spec["rel_bias_std"])
        if causal_last:
            neg = spec.get("self_attn_negate", 0.0)
            if neg:
                q_mat, _ = np.linalg.qr(rng.standard_normal((max(d, inner), max(d, inner))))
                v = q_mat[:inner, :d]
                t[prefix + ".v.weight"] = v
                t[prefix + ".o.weight"] = -neg * v.T + rng.standard_normal((d, inner)) / np.sqrt(inner)
            corr = spec.get("self_qk_corr", 0.0)
            q, k = t[prefix + ".q.weight"] * np.sqrt(dk), t[prefix + ".k.weight"]
            t[prefix + ".k.weight"] = corr * q + np.sqrt(1.0 - corr * corr) * k

    def feed_forward(prefix):
        if spec["feed_forward_proj"].startswith("gated"):
            linear(prefix + ".wi_0", ff, d)
            linear(prefix + ".wi_1", ff, d)
        else:
            linear(prefix + ".wi", ff, d)
        linear(prefix + ".wo", d, ff)

    for i in range(spec["num_layers"]):
        p = f"encoder.block.{i}.layer."
        attention(p + "0.SelfAttention", has_bias=(i == 0))
        norm(p + "0.layer_norm")
        feed_forward(p + "1.DenseReluDense")
        norm(p + "1.layer_norm")
    norm("encoder.final_layer_norm")
    if spec.get("encoder_only"):
        return t
    n_dec = spec["num_decoder_layers"] or spec["num_layers"]
    for i in range(n_dec):
        p = f"decoder.block.{i}.layer."
        attention(p + "0.SelfAttention", causal_last=(i == n_dec - 1), gain=spec["qk_gain"], has_bias=(i == 0))
        norm(p + "0.layer_norm")
        attention(p + "1.EncDecAttention", gain=spec["qk_gain"])
        if i == 0 and spec.get("dead_cross_attention_bias"):
            t[p + "1.EncDecAttention.relative_attention_bias.weight"] = (
                rng.standard_normal((spec["buckets"], H)) * spec["rel_bias_std"])
        norm(p + "1.layer_norm")
        feed_forward(p + "2.DenseReluDense")
        norm(p + "2.layer_norm")
    norm("decoder.final_layer_norm")
    if spec["tie"]:
        t["decoder.final_layer_norm.weight"] *= out_norm
    return t


def write_sentence_transformer(spec, out, rng):
    """modules.json, sentence_bert_config.json, config_sentence_transformers.json,
    1_Pooling/config.json, 2_Dense/{config.json, model.safetensors}; Normalize has no
    directory (as sentence-t5-base)."""
    d, n_out = spec["d_model"], spec["dense_out"]
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"},
        {"idx": 3, "name": "3", "path": "3_Normalize", "type": "sentence_transformers.models.Normalize"},
    ]
    write_json(os.path.join(out, "modules.json"), modules, sort_keys=False)
    write_json(os.path.join(out, "sentence_bert_config.json"), {"max_seq_length": 256, "do_lower_case": False},
               sort_keys=False)
    write_json(os.path.join(out, "config_sentence_transformers.json"),
               {"__version__": {"sentence_transformers": "2.2.0", "transformers": "4.7.0", "pytorch": "1.9.0+cu102"}},
               sort_keys=False)
    os.makedirs(os.path.join(out, "1_Pooling"))
    write_json(os.path.join(out, "1_Pooling", "config.json"),
               {"word_embedding_dimension": d, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
                "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False}, sort_keys=False)
    os.makedirs(os.path.join(out, "2_Dense"))
    with open(os.path.join(out, "2_Dense", "config.json"), "w", encoding="utf-8") as f:
        # One line, as sentence-transformers writes it.
        json.dump({"in_features": d, "out_features": n_out, "bias": False,
                   "activation_function": "torch.nn.modules.linear.Identity"}, f)
    weight = rng.standard_normal((n_out, d)) / np.sqrt(d)
    safetensors_io.save_file({"linear.weight": weight}, os.path.join(out, "2_Dense", "model.safetensors"),
                             dtype="F32", metadata={"format": "pt"})


def make_t5_model(spec, index, out_root, workdir):
    from tserve_ref import checkpoint
    seed = SEED + 80000 + 1000 * index
    out = os.path.join(out_root, spec["name"])
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    spm_model = train_spm(t5_corpus(seed), spec["spm_vocab"], workdir, "spiece",
                          extra_options=T5_SPM_OPTIONS)
    write_t5_tokenizer(spec, out, spm_model)
    n_tokenizer = spec["spm_vocab"] + spec["extra_ids"]
    V = n_tokenizer + spec["spare_rows"]
    write_json(os.path.join(out, "config.json"), t5_config(spec, V))
    if not spec.get("encoder_only"):
        write_json(os.path.join(out, "generation_config.json"),
                   {"_from_model_config": True, "decoder_start_token_id": 0, "eos_token_id": 1, "pad_token_id": 0,
                    "transformers_version": "4.27.0.dev0"})
    weights = make_t5_weights(spec, V, n_tokenizer, seed + 3 + spec["weight_seed_offset"])
    if spec["format"] == "safetensors":
        safetensors_io.save_file(weights, os.path.join(out, "model.safetensors"), dtype=spec["dtype"],
                                 metadata={"format": "pt"})
    else:
        # As MT5ForConditionalGeneration saves it: encoder.embed_tokens.weight left out
        # (_keys_to_ignore_on_save), decoder.embed_tokens.weight a view of shared.weight.
        state = checkpoint.torch_state_dict(weights, spec["dtype"],
                                            [["shared.weight", "decoder.embed_tokens.weight"]])
        checkpoint.save_bin(state, os.path.join(out, checkpoint.TORCH_BIN))
    if spec.get("dense_out"):
        write_sentence_transformer(spec, out, np.random.RandomState(seed + 4))
    return {"name": spec["name"], "vocab_size": V, "decoder_vocab_size": V}


def make_all(out_root):
    os.makedirs(out_root, exist_ok=True)
    info = []
    with tempfile.TemporaryDirectory(prefix="tserve-spm-") as workdir:
        for i, spec in enumerate(MODELS):
            info.append(make_model(spec, i, out_root, workdir))
        for i, spec in enumerate(FAMILY_MODELS):
            info.append(make_family_model(spec, i, out_root, workdir))
        for i, spec in enumerate(T5_MODELS):
            info.append(make_t5_model(spec, i, out_root, workdir))
    for layout in LAYOUTS:
        make_layout(layout, out_root)
    return info


def compare_trees(a, b):
    """Lists the files that differ between two directory trees."""
    diffs = []
    files_a, files_b = set(), set()
    for root, files in ((a, files_a), (b, files_b)):
        for dirpath, _, names in os.walk(root):
            for n in names:
                files.add(os.path.relpath(os.path.join(dirpath, n), root))
    for rel in sorted(files_a | files_b):
        if rel not in files_a or rel not in files_b:
            diffs.append(rel + " (missing on one side)")
        elif not filecmp.cmp(os.path.join(a, rel), os.path.join(b, rel), shallow=False):
            diffs.append(rel)
    return diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temporary directory and compare with --out")
    args = ap.parse_args()
    if args.check:
        with tempfile.TemporaryDirectory(prefix="tserve-models-") as tmp:
            make_all(tmp)
            names = {m["name"] for m in MODELS + FAMILY_MODELS + T5_MODELS} | {m["name"] for m in LAYOUTS}
            diffs = []
            for n in sorted(names):
                diffs += [f"{n}/{d}" for d in compare_trees(os.path.join(tmp, n), os.path.join(args.out, n))]
        if diffs:
            print("test models differ from a fresh generation:\n  " + "\n  ".join(diffs))
            return 1
        print(f"test models identical to a fresh generation "
              f"({len(MODELS) + len(FAMILY_MODELS) + len(T5_MODELS)} models)")
        return 0
    for m in make_all(args.out):
        print(f"{m['name']}: vocab {m['vocab_size']}, target vocab {m['decoder_vocab_size']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
