#!/usr/bin/python3
"""Converts a Hugging Face T5 / Flan-T5 directory (config.json, model.safetensors,
spiece.model, tokenizer_config.json) into a CTranslate2 4.8 model directory, and writes
the pieces files that CTranslate2's ct2_bench reads.

  /usr/bin/python3 bench/convert_t5_ct2.py HF_DIR OUT_DIR [--quantization float32|int8]
  /usr/bin/python3 bench/convert_t5_ct2.py HF_DIR --pieces TEXT_FILE PIECES_FILE
  /usr/bin/python3 bench/convert_t5_ct2.py HF_DIR OUT_DIR --compare TEXT_FILE [--n 4] [--max_length 32]

It uses CTranslate2's own model specs (../shared/peers/ctranslate2/python, or
--ct2_python DIR) without the ctranslate2 pip package, as that folder's
convert_marian.py does, and maps the weights as CTranslate2's T5Loader
(python/ctranslate2/converters/transformers.py) does: TransformerSpec with pre_norm,
RMS norms (gains only), relative attention bias (the first self-attention block of each
stack; the later blocks share it; max distance from config.json), gated FFN (wi_0 ->
linear_0 with the activation, wi_1 -> linear_0_noact, wo -> linear_1), queries not
scaled (queries_scale 1), q/k/v fused for self-attention and k/v for cross-attention,
no embedding scaling, lm_head as the output projection (tied models: shared.weight and
scale_outputs d_model**-0.5), bos = <pad>, decoder start = the token of
decoder_start_token_id (<pad>), and config.json's layer_norm_epsilon.

Vocabulary (one shared file): the spiece.model pieces by id, then the sentinels
<extra_id_{E-1}> ... <extra_id_0> (T5Tokenizer's ids), then names for the spare
embedding rows beyond the tokenizer (vocab_size 32128 > 32100). CTranslate2's own
converter names those <extra_id_0> ... again (duplicates); here they continue the
numbering (<extra_id_100> ...), so every name maps back to one id. The tokenizer
never produces them; a random decoder may.

--pieces: one line per text line: the ids of tserve's T5 tokenization
(tools/tserve_ref/t5_tokenizer.py: SentencePiece on the text, <extra_id_N> sentinels
split out, </s> appended) written as their vocabulary names, separated by spaces; the
format of ct2_bench's INPUT_PIECES_FILE. bench/engine_bench reads the TEXT_FILE itself
(--input=TEXT_FILE) and tokenizes it the same way.

--compare: a functional check, not a benchmark: converts (unless OUT_DIR/model.bin
exists), runs ct2_bench float32 greedy with FIXED=0 on the first N lines and OUT_FILE,
and compares its output tokens with tools/tserve_ref's greedy output (float32) for the
same source ids. ct2_bench needs a directory holding a real libctranslate2.so.4 in
LD_LIBRARY_PATH; one is made in a temporary directory when LD_LIBRARY_PATH has none.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tools"))
DEFAULT_CT2 = os.path.join(os.path.dirname(REPO), "shared", "peers", "ctranslate2")


def import_specs(ct2_python):
    sys.path.insert(0, ct2_python)
    from ctranslate2.specs import common_spec, transformer_spec
    return common_spec, transformer_spec


def read_config(hf_dir):
    with open(os.path.join(hf_dir, "config.json"), encoding="utf-8") as f:
        c = json.load(f)
    if c.get("model_type") not in ("t5", "mt5"):
        raise ValueError(f"{hf_dir}: model_type {c.get('model_type')!r} is not t5 / mt5")
    from tserve_ref.t5 import DEFAULTS, parse_feed_forward_proj
    cfg = dict(DEFAULTS[c["model_type"]])
    cfg.update(c)
    if cfg.get("num_decoder_layers") is None:
        cfg["num_decoder_layers"] = cfg["num_layers"]
    cfg["act"], cfg["gated"] = parse_feed_forward_proj(cfg["feed_forward_proj"])
    return cfg


def vocabulary(hf_dir, vocab_size):
    """Token names by id: pieces, sentinels (T5Tokenizer's order), spare rows."""
    from tserve_ref.t5_tokenizer import T5Tokenizer
    tok = T5Tokenizer(hf_dir)
    tokens = [tok.sp.id_to_piece(i) for i in range(tok.pieces)]
    tokens += [f"<extra_id_{n}>" for n in range(tok.extra_ids - 1, -1, -1)]
    if len(tokens) > vocab_size:
        raise ValueError(f"the tokenizer has {len(tokens)} ids, more than vocab_size {vocab_size}")
    tokens += [f"<extra_id_{tok.extra_ids + i}>" for i in range(vocab_size - len(tokens))]
    if len(set(tokens)) != len(tokens):
        raise ValueError("token names are not unique")
    return tokens, tok


def load_weights(hf_dir):
    from tserve_ref import checkpoint
    return checkpoint.load_tensors(hf_dir)


def convert(hf_dir, out_dir, quantization="float32", ct2_python=None, log=print):
    common_spec, transformer_spec = import_specs(ct2_python or os.path.join(DEFAULT_CT2, "python"))
    t0 = time.time()
    c = read_config(hf_dir)
    d, H, dk = c["d_model"], c["num_heads"], c["d_kv"]
    if H * dk != d:
        raise ValueError(f"num_heads * d_kv = {H * dk} != d_model {d}: CTranslate2 splits d_model into the heads")
    act = {"gelu_new": common_spec.Activation.GELUTanh, "gelu": common_spec.Activation.GELU,
           "relu": common_spec.Activation.RELU, "silu": common_spec.Activation.SWISH,
           "gelu_pytorch_tanh": common_spec.Activation.GELUTanh}[c["act"]]
    w = load_weights(hf_dir)
    shared = w.get("shared.weight", w.get("encoder.embed_tokens.weight"))
    V = c["vocab_size"]
    if shared.shape != (V, d):
        raise ValueError(f"shared.weight {shared.shape}, expected {(V, d)}")
    spec = transformer_spec.TransformerSpec.from_config(
        (c["num_layers"], c["num_decoder_layers"]), H, pre_norm=True, activation=act,
        ffn_glu=c["gated"], relative_attention_bias=True, rms_norm=True)
    max_distance = np.dtype("int32").type(c["relative_attention_max_distance"])

    def attention(s, p, self_attention):
        s.queries_scale = 1.0
        q, k, v, o = (w[f"{p}.{n}.weight"] for n in "qkvo")
        if self_attention:
            s.linear[0].weight = np.concatenate([q, k, v])
        else:
            s.linear[0].weight = q
            s.linear[1].weight = np.concatenate([k, v])
        s.linear[-1].weight = o
        bias = w.get(p + ".relative_attention_bias.weight")
        if bias is not None and self_attention:
            s.relative_attention_bias = bias
            s.relative_attention_max_distance = max_distance

    def stack(sp, side):
        sp.scale_embeddings = False
        (sp.embeddings[0] if isinstance(sp.embeddings, list) else sp.embeddings).weight = shared
        sp.layer_norm.gamma = w[f"{side}.final_layer_norm.weight"]
        for i, layer in enumerate(sp.layer):
            p = f"{side}.block.{i}.layer"
            attention(layer.self_attention, p + ".0.SelfAttention", True)
            layer.self_attention.layer_norm.gamma = w[p + ".0.layer_norm.weight"]
            if i > 0:  # the first block's relative attention bias, shared
                first = sp.layer[0].self_attention
                layer.self_attention.relative_attention_bias = first.relative_attention_bias
                layer.self_attention.relative_attention_max_distance = first.relative_attention_max_distance
            ff = p + (".2" if side == "decoder" else ".1")
            if side == "decoder":
                attention(layer.attention, p + ".1.EncDecAttention", False)
                layer.attention.layer_norm.gamma = w[p + ".1.layer_norm.weight"]
            if c["gated"]:
                layer.ffn.linear_0.weight = w[ff + ".DenseReluDense.wi_0.weight"]
                layer.ffn.linear_0_noact.weight = w[ff + ".DenseReluDense.wi_1.weight"]
            else:
                layer.ffn.linear_0.weight = w[ff + ".DenseReluDense.wi.weight"]
            layer.ffn.linear_1.weight = w[ff + ".DenseReluDense.wo.weight"]
            layer.ffn.layer_norm.gamma = w[ff + ".layer_norm.weight"]

    stack(spec.encoder, "encoder")
    stack(spec.decoder, "decoder")
    if c["tie_word_embeddings"]:
        spec.decoder.projection.weight = shared
        spec.decoder.scale_outputs = d ** -0.5
    else:
        spec.decoder.projection.weight = w["lm_head.weight"]
    tokens, tok = vocabulary(hf_dir, V)
    spec.register_source_vocabulary(tokens)
    spec.register_target_vocabulary(tokens)
    cfg = spec.config
    cfg.bos_token = tokens[c["pad_token_id"]]
    cfg.eos_token = tokens[c["eos_token_id"]]
    cfg.unk_token = tokens[tok.unk_id]
    cfg.decoder_start_token = tokens[c["decoder_start_token_id"]]
    cfg.layer_norm_epsilon = float(c["layer_norm_epsilon"])
    spec.validate()
    spec.optimize(quantization=quantization)
    os.makedirs(out_dir, exist_ok=True)
    spec.save(out_dir)
    size = os.path.getsize(os.path.join(out_dir, "model.bin"))
    log(f"{out_dir}: CTranslate2 TransformerSpec from {hf_dir}, model.bin {size / 1e6:.1f} MB "
        f"({quantization}), vocabulary {len(tokens)} ({time.time() - t0:.1f} s)")
    return tokens


def source_pieces(hf_dir, lines):
    """Per line: tserve's T5 source ids (</s> last) as vocabulary names."""
    c = read_config(hf_dir)
    tokens, tok = vocabulary(hf_dir, c["vocab_size"])
    ids = [tok.encode(line) for line in lines]
    return [[tokens[i] for i in s] for s in ids], ids


def write_pieces(hf_dir, text_file, pieces_file):
    with open(text_file, encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f]
    pieces, _ = source_pieces(hf_dir, lines)
    with open(pieces_file, "w", encoding="utf-8") as f:
        for p in pieces:
            f.write(" ".join(p) + "\n")
    n = sum(len(p) for p in pieces)
    print(f"{pieces_file}: {len(pieces)} lines, {n} source tokens (</s> included)")


def ct2_env(ct2_dir, workdir):
    """LD_LIBRARY_PATH with a real libctranslate2.so.4 (the shipped links are text files)."""
    env = dict(os.environ)
    for p in env.get("LD_LIBRARY_PATH", "").split(":"):
        lib = os.path.join(p, "libctranslate2.so.4") if p else ""
        if lib and os.path.isfile(lib) and os.path.getsize(lib) > 1 << 20:
            return env
    libdir = os.path.join(workdir, "lib")
    os.makedirs(libdir, exist_ok=True)
    os.symlink(os.path.join(ct2_dir, "lib", "libctranslate2.so.4.8.1"), os.path.join(libdir, "libctranslate2.so.4"))
    env["LD_LIBRARY_PATH"] = libdir + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    return env


def compare(hf_dir, ct2_model, text_file, n, max_length, ct2_dir):
    """ct2_bench greedy float32 (natural length, FIXED=0) against tserve_ref greedy."""
    import torch
    from tserve_ref import decoding
    from tserve_ref.t5 import load_model
    with open(text_file, encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f][:n]
    pieces, ids = source_pieces(hf_dir, lines)
    c = read_config(hf_dir)
    tokens, _ = vocabulary(hf_dir, c["vocab_size"])
    with tempfile.TemporaryDirectory(prefix="tserve-t5-ct2-") as work:
        pf, of = os.path.join(work, "in.pieces"), os.path.join(work, "out.txt")
        with open(pf, "w", encoding="utf-8") as f:
            f.write("".join(" ".join(p) + "\n" for p in pieces))
        cmd = [os.path.join(ct2_dir, "bin", "ct2_bench"), ct2_model, "float32", "1", str(max_length),
               str(len(lines)), "0", pf, of]
        res = subprocess.run(cmd, env=ct2_env(ct2_dir, work), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        if res.returncode != 0:
            raise RuntimeError(f"ct2_bench failed ({res.returncode}):\n{res.stderr[-3000:]}")
        with open(of, encoding="utf-8") as f:
            ct2_out = [line.split() for line in f.read().splitlines()]
    torch.set_grad_enabled(False)
    model = load_model(hf_dir)
    model.eval()
    same = 0
    for i, src in enumerate(ids):
        trace = []
        hyp = decoding.greedy(model, [src], max_length=max_length, trace=trace)[0]
        ref = [tokens[t] for t in hyp.ids]  # eos not included
        ct = ct2_out[i] if i < len(ct2_out) else []
        agree = 0
        while agree < min(len(ref), len(ct)) and ref[agree] == ct[agree]:
            agree += 1
        ok = ref == ct
        same += ok
        gap = min((a - b for _, _, (a, b) in trace), default=float("nan"))
        print(f"sentence {i}: {len(src)} source tokens; reference {len(ref)} tokens, ct2 {len(ct)}; "
              f"{'identical' if ok else f'first difference at token {agree}'}; "
              f"smallest top-2 log-prob gap {gap:.4f}")
        if not ok:
            print(f"  reference: {' '.join(ref[:agree + 3])} ...\n  ct2:       {' '.join(ct[:agree + 3])} ...")
    print(f"{same}/{len(ids)} sentences identical (float32 greedy, max_length {max_length})")
    return same == len(ids)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("hf_dir")
    ap.add_argument("out_dir", nargs="?", help="CTranslate2 model directory to write")
    ap.add_argument("--quantization", default="float32", choices=["float32", "int8"],
                    help="storage type of model.bin (CTranslate2 converts at load time for --compute_type)")
    ap.add_argument("--pieces", nargs=2, metavar=("TEXT_FILE", "PIECES_FILE"),
                    help="write ct2_bench's pieces file for TEXT_FILE")
    ap.add_argument("--compare", metavar="TEXT_FILE", help="compare ct2_bench greedy with tserve_ref's")
    ap.add_argument("--n", type=int, default=4, help="--compare: the first N lines")
    ap.add_argument("--max_length", type=int, default=32, help="--compare: generated tokens at most")
    ap.add_argument("--ct2_dir", default=DEFAULT_CT2, help="the CTranslate2 kit (python/, bin/, lib/)")
    a = ap.parse_args()
    if not a.out_dir and not a.pieces:
        ap.error("give OUT_DIR and/or --pieces")
    if a.compare and not a.out_dir:
        ap.error("--compare needs OUT_DIR")
    if a.out_dir and not (a.compare and os.path.isfile(os.path.join(a.out_dir, "model.bin"))):
        convert(a.hf_dir, a.out_dir, a.quantization, os.path.join(a.ct2_dir, "python"))
    if a.pieces:
        write_pieces(a.hf_dir, *a.pieces)
    if a.compare:
        return 0 if compare(a.hf_dir, a.out_dir, a.compare, a.n, a.max_length, a.ct2_dir) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
