#!/usr/bin/python3
"""Writes the golden outputs of every test model under tests/data/golden/.

For each model in tests/data/models/<name>/ this writes
tests/data/golden/<name>/golden.json and golden.safetensors (float32): source
ids, encoder states, raw decoder logits, greedy / beam / sampling results and
pooled encoder outputs, computed with the PyTorch reference (tools/tserve_ref)
in float64, every sentence alone (for a sentence-transformers directory: encoder
states, pooled outputs and the pipeline's sentence embeddings). See tools/README.md
for the JSON layout.

The output is a pure function of the model files: running the script twice
gives byte-identical files. `--check` regenerates the test models and the
golden data into a temporary directory and compares them byte for byte with
the committed files (exit status 1 on any difference).

The script also measures how close each decision came to a tie (greedy top-2
logp gap, beam candidate gaps, sampling draws near a cumulative boundary) and
fails when a margin is below --min-margin, so that a float32 implementation
makes the same decisions.

Usage:
  /usr/bin/python3 tools/make_golden.py [--models DIR] [--out DIR] [--check]
"""

import argparse
import json
import math
import os
import sys
import tempfile
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_test_models  # noqa: E402
from tserve_ref import decoding, pooling, safetensors_io, t5  # noqa: E402
from tserve_ref.sentence_modules import SentenceTransformer, is_sentence_transformer  # noqa: E402
from tserve_ref.t5_tokenizer import T5Tokenizer  # noqa: E402
from tserve_ref.tokenizer import MarianTokenizer  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_MODELS = os.path.join(REPO, "tests", "data", "models")
DEFAULT_OUT = os.path.join(REPO, "tests", "data", "golden")

# Source sentences, from one piece to about forty; "café" and "€" contain
# characters the SentencePiece models never saw, so they map to <unk>.
SENTENCES = [
    "the",
    "The old dog sleeps.",
    "The café costs 5 € today.",
    "A small cat waits near the river.",
    "Why does the young teacher never answer the question?",
    "Dog",
    "Every morning the slow train arrives, and the happy children sing together.",
    "My friend reads a letter, but the brave farmer walks to the market with his dog!",
]
TARGET_PREFIX = make_test_models.GOLDEN_TARGET_PREFIX
MAX_LENGTH = 40
# Sampling cases. `seed` is where the search for a seed starts (see below);
# `step` the direction it moves in. The last but one case uses seeds just
# below 2^64, so that `seed + h` wraps around; the last forces a target
# prefix (forced steps draw nothing) and a min_length.
SAMPLING = [
    {"sentences": (0, 3), "temperature": 1.0, "topk": 0, "topp": 1.0, "n": 1, "seed": 1},
    {"sentences": (1, 4), "temperature": 0.7, "topk": 10, "topp": 1.0, "n": 1, "seed": 42},
    {"sentences": (2, 5), "temperature": 1.3, "topk": 0, "topp": 0.9, "n": 1, "seed": 7},
    {"sentences": (4,), "temperature": 1.0, "topk": 0, "topp": 1.0, "n": 3, "seed": 2023},
    {"sentences": (5,), "temperature": 0.9, "topk": 5, "topp": 0.8, "n": 4, "seed": 2 ** 64 - 1, "step": -1,
     "max_length": 10, "wrap": True},
    {"sentences": (6,), "temperature": 1.0, "topk": 0, "topp": 1.0, "n": 2, "seed": 99, "prefix": True,
     "min_length": 8},
]


def to_f32_list(values):
    return [float(np.float32(v)) for v in values]


class Margins:
    """Smallest distance of any decision from a tie."""

    def __init__(self):
        self.greedy = math.inf
        self.beam = math.inf
        self.sampling = math.inf
        self.where = {}

    def note(self, kind, value, where):
        if value < getattr(self, kind):
            setattr(self, kind, value)
            self.where[kind] = where


def greedy_margin(trace):
    return min((top[0] - top[1] for _, _, top in trace), default=math.inf)


def beam_margin(trace, beam_size, num_hypotheses, length_penalty):
    """Distance from a tie of every beam decision that can change the result:
    whether an eos candidate ranks below B (its gap to the rank B-1 / rank B
    boundary), which non-eos candidates become the B running beams (the gap
    between the B-th and the next non-eos candidate), the stopping test (worst
    finished vs best penalised running score), each eviction from the finished
    set, and the order of the num_hypotheses+1 best finished hypotheses.
    Gaps between length-penalised scores are scaled back by the smaller
    L^length_penalty of the two, so that every margin is in units of summed
    logp (the quantity a float32 implementation gets slightly wrong)."""
    B = beam_size

    def raw(gap, la, lb):
        return gap * max(1.0, float(min(la, lb)) ** length_penalty)

    m = math.inf
    for e in trace:
        if "final" in e:
            for gap, la, lb in e["eviction_gaps"]:
                m = min(m, raw(gap, la, lb))
            top = e["final"][:num_hypotheses + 1]
            for (a, la), (b, lb) in zip(top, top[1:]):
                m = min(m, raw(a - b, la, lb))
            continue
        vals, is_eos = e["candidates"], e["candidate_is_eos"]
        live = [(v, x) for v, x in zip(vals, is_eos) if v > -1e8]  # skip beams that never started
        if len(live) > B:
            for r, (v, x) in enumerate(live):
                if x:
                    m = min(m, v - live[B][0] if r < B else live[B - 1][0] - v)
        non_eos = [v for v, x in live if not x]
        if len(non_eos) > B:
            m = min(m, non_eos[B - 1] - non_eos[B])
        if e["worst_finished"] is not None:
            m = min(m, raw(abs(e["worst_finished"] - e["best_running"]), e["worst_finished_length"],
                           e["running_length"]))
    return m


def sampling_margin(trace):
    """Smallest distance of a draw u from a cumulative probability, or of a
    top-p cut from p (probability units)."""
    m = math.inf
    for _, _, _, u, c, cut_gap in trace:
        m = min(m, float(np.min(np.abs(c - u))), cut_gap)
    return m


def sentences_for(tok):
    """SENTENCES; for a model with several target languages each starts with a
    language token, the first two languages in turn."""
    languages = tok.target_languages()
    if len(languages) < 2:
        return list(SENTENCES)
    return [f">>{languages[i % 2]}<< {text}" for i, text in enumerate(SENTENCES)]


def layout_golden(models_dir, out_dir, layout):
    """A model in another checkpoint layout has its base model's golden data:
    the reference reads the same float32 weights from both (checked here, bit
    for bit) and every other file is the same."""
    from tserve_ref import checkpoint
    base = checkpoint.load_tensors(os.path.join(models_dir, layout["base"]))
    other = checkpoint.load_tensors(os.path.join(models_dir, layout["name"]))
    tied = set(layout.get("tie", [])[1:])
    for name in sorted(set(base) | set(other)):
        if name in tied and name not in base:
            continue  # a view of the tied storage, which the base leaves out
        if name not in base or name not in other or not np.array_equal(base[name], other[name]):
            raise RuntimeError(f"{layout['name']}: tensor {name} differs from {layout['base']}")
    src = os.path.join(out_dir, layout["base"])
    dst = os.path.join(out_dir, layout["name"])
    os.makedirs(dst, exist_ok=True)
    with open(os.path.join(src, "golden.json"), encoding="utf-8") as f:
        g = json.load(f)
    g["model"] = layout["name"]
    g["same_weights_as"] = layout["base"]
    with open(os.path.join(dst, "golden.json"), "w", encoding="utf-8") as f:
        json.dump(g, f, sort_keys=True, indent=1, ensure_ascii=False, allow_nan=False)
        f.write("\n")
    with open(os.path.join(src, "golden.safetensors"), "rb") as f_in, \
            open(os.path.join(dst, "golden.safetensors"), "wb") as f_out:
        f_out.write(f_in.read())


class FamilyTokens:
    """Token ids for the test models of the other families (make_test_models.FAMILY_MODELS),
    with the rules of their tokenizers: the source is [source language] pieces </s>
    (NLLB's non-legacy order, M2M100, mBART-50), pieces through fairseq's ids
    (make_test_models.family_vocab); the target language is the forced first token
    (per request for NLLB and M2M100, forced_bos_token_id of generation_config.json for
    mBART). BART has no tokenizer files here: its sources are fixed random ids,
    <s> ... </s>. The goldens hold ids only (no detokenized text)."""

    SOURCE_LANGUAGE = 0  # index into the spec's languages
    TARGET_LANGUAGE = 1

    def __init__(self, spec, model_dir, vocab_size):
        self.spec = spec
        self.unk_id = 3
        self.vocab_size = vocab_size
        self.sp = None
        if spec["tokenizer"] is not None:
            import sentencepiece as spm
            self.sp = spm.SentencePieceProcessor(model_file=os.path.join(model_dir, "sentencepiece.bpe.model"))
            vocab, _ = make_test_models.family_vocab(
                spec, open(os.path.join(model_dir, "sentencepiece.bpe.model"), "rb").read())
            self.vocab = vocab

    def language_id(self, index):
        code = self.spec["languages"][index]
        return self.vocab[make_test_models.language_token(self.spec, code)]

    def pieces(self, text, seed):
        if self.sp is None:
            rng = np.random.RandomState(seed)
            return [int(x) for x in rng.randint(4, self.vocab_size, size=len(text) // 4 + 1)]
        return [self.vocab.get(p, self.unk_id) for p in self.sp.encode(text, out_type=str)]

    def encode(self, text, seed=0):
        if self.sp is None:
            return [0] + self.pieces(text, seed) + [2]
        return [self.language_id(self.SOURCE_LANGUAGE)] + self.pieces(text, seed) + [2]

    def encode_target(self, text):
        return self.pieces(text, 99) + [2]

    def forced_first_token(self):
        """The per-request forced first token (None: the model's own, if any)."""
        if self.sp is None or self.spec.get("forced_bos_language"):
            return None
        return self.language_id(self.TARGET_LANGUAGE)

    def decode(self, ids):
        return None


# T5 family (make_test_models.T5_MODELS). Flan-style sentences carry the task prefix
# (not the one-piece sentences 0 and 5); t5-layout-f32 adds sentinel tokens with white
# space around them (split out and stripped by the tokenizer); mt5-layout-f32, whose
# tokenizer has no sentinels (extra_ids 0), adds a sentinel-like text that stays text.
T5_EXTRA_SENTENCES = {
    "t5-layout-f32": ["The old dog <extra_id_0> near the river <extra_id_1> .",
                      "<extra_id_0>\t a small cat waits <extra_id_1>"],
    "mt5-layout-f32": ["A small cat <extra_id_0> waits."],
    "sentence-t5-layout-f32": ["My friend <extra_id_0> the letter."],
}
T5_PREFIXED = {"flan-t5-layout-bf16"}
# Relative positions (key - query) whose buckets the golden data lists.
BUCKET_RANGE = range(-64, 65)


def t5_texts(name):
    texts = [make_test_models.T5_TASK_PREFIX + text if name in T5_PREFIXED and i not in (0, 5) else text
             for i, text in enumerate(SENTENCES)]
    return texts + T5_EXTRA_SENTENCES.get(name, [])


def relative_position_buckets(cfg, causal=True):
    """The bucket of every relative position of BUCKET_RANGE, bidirectional (encoder)
    and causal (decoder self-attention), as tserve_ref.t5 computes them."""
    rel = torch.tensor(list(BUCKET_RANGE), dtype=torch.long)
    out = {"num_buckets": cfg.relative_attention_num_buckets,
           "max_distance": cfg.relative_attention_max_distance,
           "relative_positions": list(BUCKET_RANGE),
           "bidirectional": t5.relative_position_bucket(rel, True, cfg.relative_attention_num_buckets,
                                                        cfg.relative_attention_max_distance).tolist()}
    if causal:
        out["causal"] = t5.relative_position_bucket(rel, False, cfg.relative_attention_num_buckets,
                                                    cfg.relative_attention_max_distance).tolist()
    return out


def detokenize_cases(tok, outputs):
    """{"ids", "text"} for every distinct greedy output, and id lists that mix pieces
    with <pad>, </s>, <unk>, sentinels and spare embedding rows (all dropped)."""
    cases = []
    for ids in outputs:
        if ids not in cases:
            cases.append(list(ids))
    pieces = tok.text_ids("The old dog sleeps near the river.")
    spare = tok.size  # the first row beyond the tokenizer (config vocab_size is larger)
    mixed = [tok.pad_id] + pieces[:3] + [tok.unk_id] + pieces[3:5] + [tok.eos_id] + pieces[5:] + [spare]
    if tok.extra_ids:
        mixed = mixed[:4] + [tok.sentinel_id(0)] + mixed[4:] + [tok.sentinel_id(tok.extra_ids - 1)]
    cases += [mixed, [tok.eos_id], []]
    return [{"ids": ids, "text": tok.decode(ids)} for ids in cases]


def add_pooled_encodings(model, sources, g, tensors):
    """Encode goldens: sentences 3 and 7, mean and first pooling, raw and normalised."""
    j = 0
    for i in (3, 7):
        for pool in ("mean", "first"):
            for norm in (False, True):
                v = pooling.encode_pooled(model, [sources[i]], pooling=pool, normalize=norm)[0]
                tensors[f"encode.{j}"] = v.float().numpy()
                g["encode"].append({"sentence": i, "pooling": pool, "normalize": norm,
                                    "tensor": f"encode.{j}"})
                j += 1


def sentence_transformer_golden(model_dir, name):
    """Golden data of a sentence-transformers directory whose Transformer is a T5
    encoder: encoder states, pooled encoder outputs and the full pipeline's sentence
    embeddings, in float64. The decoding keys are empty."""
    pipeline = SentenceTransformer.from_dir(model_dir, dtype=torch.float64)
    model = pipeline.transformer.model
    cfg = model.config
    tok = T5Tokenizer(model_dir)
    texts = t5_texts(name)
    sources = [tok.encode(text, limit=pipeline.max_seq_length, truncate=True) for text in texts]
    tensors = {}
    g = {"model": name, "d_model": cfg.d_model,
         "vocab": {"pad": cfg.pad_token_id, "eos": cfg.eos_token_id, "unk": tok.unk_id,
                   "decoder_start": cfg.decoder_start_token_id},
         "sentences": [{"text": text, "source_ids": ids} for text, ids in zip(texts, sources)],
         "encoder": [], "logits": [], "greedy": [], "beam": [], "sampling": [], "encode": [],
         "sentence_embedding": [],
         "relative_position_buckets": relative_position_buckets(cfg, causal=False)}
    with torch.no_grad():
        for i, src in enumerate(sources):
            ids = torch.tensor([src])
            tensors[f"encoder.{i}"] = model.encode(ids, torch.ones_like(ids, dtype=torch.bool))[0].float().numpy()
            g["encoder"].append({"sentence": i, "tensor": f"encoder.{i}"})
        add_pooled_encodings(model, sources, g, tensors)
        for i, src in enumerate(sources):
            tensors[f"sentence_embedding.{i}"] = pipeline.embed([src])[0].float().numpy()
            g["sentence_embedding"].append({"sentence": i, "tensor": f"sentence_embedding.{i}"})
    return g, tensors


def golden_for_model(model_dir, name, margins, min_sampling_margin):
    torch.manual_seed(0)
    if t5.is_t5(model_dir) and is_sentence_transformer(model_dir):
        return sentence_transformer_golden(model_dir, name)
    model = t5.load_model(model_dir).double().eval()
    cfg = model.config
    family_specs = {spec["name"]: spec for spec in make_test_models.FAMILY_MODELS}
    if t5.is_t5(model_dir):
        tok = T5Tokenizer(model_dir)
        forced_first = None
        texts = t5_texts(name)
    elif name in family_specs:
        tok = FamilyTokens(family_specs[name], model_dir, cfg.vocab_size)
        forced_first = tok.forced_first_token()
        texts = list(SENTENCES)
    else:
        tok = MarianTokenizer(model_dir)
        forced_first = None
        texts = sentences_for(tok)
    # Per-request option of the golden entries that have it.
    first = {} if forced_first is None else {"forced_first_token": forced_first}
    Vt = cfg.decoder_vocab_size
    tensors = {}
    g = {
        "model": name,
        "d_model": cfg.d_model,
        "vocab": {"pad": cfg.pad_token_id, "eos": cfg.eos_token_id, "unk": tok.unk_id,
                  "decoder_start": cfg.decoder_start_token_id},
        "sentences": [],
        "logits": [],
        "encoder": [],
        "greedy": [],
        "beam": [],
        "sampling": [],
        "encode": [],
    }
    sources = []
    for k, text in enumerate(texts):
        ids = tok.encode(text, k) if isinstance(tok, FamilyTokens) else tok.encode(text)
        sources.append(ids)
        g["sentences"].append({"text": text, "source_ids": ids})

    with torch.no_grad():
        # Encoder states, each sentence alone.
        for i, src in enumerate(sources):
            ids = torch.tensor([src])
            enc = model.encode(ids, torch.ones_like(ids, dtype=torch.bool))[0]
            tensors[f"encoder.{i}"] = enc.float().numpy()
            g["encoder"].append({"sentence": i, "tensor": f"encoder.{i}"})

        # Greedy for every sentence.
        greedy_out = {}

        def run_greedy(i, max_length, min_length=0, prefix=()):
            trace = []
            h = decoding.greedy(model, [sources[i]], max_length=max_length, min_length=min_length,
                                prefixes=[list(prefix)], trace=trace, forced_first=forced_first)[0]
            margins.note("greedy", greedy_margin(trace), (name, "greedy", i, max_length, min_length))
            entry = {
                "sentence": i, "max_length": max_length, "min_length": min_length, "prefix": list(prefix),
                "ids": h.ids, "score": h.score, "token_scores": to_f32_list(h.token_scores), **first}
            text = tok.decode(h.ids) if isinstance(tok, MarianTokenizer) else None
            if text is not None:
                entry["text"] = text
            g["greedy"].append(entry)
            return h

        for i in range(len(sources)):
            greedy_out[i] = run_greedy(i, MAX_LENGTH)
        # min_length forcing a longer output: the sentence whose greedy output
        # ended earliest with eos.
        ended = [i for i in range(len(sources)) if len(greedy_out[i].ids) < MAX_LENGTH]
        if not ended:
            raise RuntimeError(f"{name}: no greedy output ends with eos before max_length")
        short = min(ended, key=lambda i: (len(greedy_out[i].ids), i))
        run_greedy(short, MAX_LENGTH, min_length=len(greedy_out[short].ids) + 3)
        # A target prefix, and a max_length that cuts the output.
        prefix = tok.encode_target(TARGET_PREFIX)[:-1]
        run_greedy(4, MAX_LENGTH, prefix=prefix)
        run_greedy(7, 5)
        run_greedy(2, 12, min_length=4, prefix=prefix[:1])

        # Raw decoder logits on [start] + prefix (full causal pass, no cache).
        rng = np.random.RandomState(1234)
        random_prefix = [int(x) for x in rng.randint(2, Vt - 1, size=15)]
        logit_cases = [(0, []), (3, greedy_out[3].ids[:12]), (6, random_prefix), (2, prefix)]
        for j, (i, pre) in enumerate(logit_cases):
            src = torch.tensor([sources[i]])
            enc = model.encode(src, torch.ones_like(src, dtype=torch.bool))
            dec = torch.tensor([[cfg.decoder_start_token_id] + list(pre)])
            logits = model.decode_full(dec, enc, torch.ones_like(src, dtype=torch.bool))[0]
            tensors[f"logits.{j}"] = logits.float().numpy()
            g["logits"].append({"sentence": i, "prefix": list(pre), "tensor": f"logits.{j}"})

        # Beam search.
        def run_beam(i, lp, max_length=MAX_LENGTH, min_length=0, prefix=(), beam_size=4, n=2):
            trace = []
            hyps = decoding.beam_search(model, [sources[i]], beam_size=beam_size, num_hypotheses=n,
                                        length_penalty=lp, max_length=max_length, min_length=min_length,
                                        prefixes=[list(prefix)], trace=trace, forced_first=forced_first)[0]
            margins.note("beam", beam_margin(trace, beam_size, n, lp), (name, "beam", i, lp, max_length, min_length))
            g["beam"].append({
                "sentence": i, "beam_size": beam_size, "num_hypotheses": n, "length_penalty": lp,
                "max_length": max_length, "min_length": min_length, "prefix": list(prefix), **first,
                "hypotheses": [{"ids": h.ids, "score": h.score, "token_scores": to_f32_list(h.token_scores)}
                               for h in hyps]})

        for i in range(len(sources)):
            run_beam(i, 1.0)
        for i in (1, 6):
            run_beam(i, 0.6)
            run_beam(i, 2.0)
        run_beam(4, 1.0, prefix=prefix)
        run_beam(3, 1.0, min_length=6)
        run_beam(7, 1.0, max_length=6)
        run_beam(5, 0.0, beam_size=3, n=3)

        # Sampling. The seed of each case is the first of a fixed sequence
        # whose draws all stay clear of a cumulative-probability boundary.
        for case in SAMPLING:
            max_length = case.get("max_length", MAX_LENGTH)
            min_length = case.get("min_length", 0)
            pre = prefix if case.get("prefix") else []
            for i in case["sentences"]:
                for attempt in range(100):
                    seed = (case["seed"] + case.get("step", 1) * attempt) % 2 ** 64
                    trace = []
                    hyps = decoding.sample(model, [sources[i]], temperature=case["temperature"], topk=case["topk"],
                                           topp=case["topp"], seed=seed, num_hypotheses=case["n"],
                                           max_length=max_length, min_length=min_length, prefixes=[pre],
                                           trace=trace, forced_first=forced_first)[0]
                    if sampling_margin(trace) >= min_sampling_margin:
                        break
                if case.get("wrap") and seed + case["n"] - 1 < 2 ** 64:
                    raise RuntimeError(f"{name}: sampling seed {seed} does not wrap around")
                margins.note("sampling", sampling_margin(trace), (name, "sampling", i, seed))
                g["sampling"].append({
                    "sentence": i, "seed": seed, "temperature": case["temperature"], "topk": case["topk"],
                    "topp": case["topp"], "num_hypotheses": case["n"], "max_length": max_length,
                    "min_length": min_length, "prefix": list(pre), **first,
                    "hypotheses": [{"ids": h.ids, "score": h.score, "token_scores": to_f32_list(h.token_scores)}
                                   for h in hyps]})

        add_pooled_encodings(model, sources, g, tensors)
    if isinstance(tok, T5Tokenizer):
        g["relative_position_buckets"] = relative_position_buckets(cfg)
        g["detokenize"] = detokenize_cases(tok, [e["ids"] for e in g["greedy"]])
    return g, tensors


def write_golden(models_dir, out_dir, names, min_margin, min_sampling_margin, quiet=False):
    torch.set_num_threads(1)
    margins = Margins()
    layouts = {layout["name"]: layout for layout in make_test_models.LAYOUTS}
    for name in [n for n in names if n not in layouts]:
        g, tensors = golden_for_model(os.path.join(models_dir, name), name, margins, min_sampling_margin)
        d = os.path.join(out_dir, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "golden.json"), "w", encoding="utf-8") as f:
            json.dump(g, f, sort_keys=True, indent=1, ensure_ascii=False, allow_nan=False)
            f.write("\n")
        safetensors_io.save_file(tensors, os.path.join(d, "golden.safetensors"), dtype="F32")
        if not quiet:
            n_eos = sum(1 for e in g["greedy"] if len(e["ids"]) < e["max_length"])
            print(f"{name}: {len(g['greedy'])} greedy ({n_eos} ended by eos), {len(g['beam'])} beam, "
                  f"{len(g['sampling'])} sampling, {len(g['logits'])} logits, {len(g['encode'])} encode")
    for name in [n for n in names if n in layouts]:
        layout_golden(models_dir, out_dir, layouts[name])
        if not quiet:
            print(f"{name}: the golden data of {layouts[name]['base']} (same weights)")
    if not quiet:
        print(f"smallest margins: greedy {margins.greedy:.3g}, beam {margins.beam:.3g}, "
              f"sampling {margins.sampling:.3g}")
    limits = {"greedy": min_margin, "beam": min_margin, "sampling": min_sampling_margin}
    bad = [k for k in ("greedy", "beam", "sampling") if getattr(margins, k) < limits[k]]
    if bad:
        for k in bad:
            print(f"near tie in {k}: margin {getattr(margins, k):.3g} at {margins.where[k]}")
        return False
    return True


def model_names(models_dir):
    return sorted(n for n in os.listdir(models_dir) if os.path.isfile(os.path.join(models_dir, n, "config.json")))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=DEFAULT_MODELS)
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true",
                    help="regenerate models and golden data into a temporary directory and compare")
    ap.add_argument("--min-margin", type=float, default=3e-4,
                    help="smallest allowed distance of a greedy or beam decision from a tie (logp units)")
    ap.add_argument("--min-sampling-margin", type=float, default=1e-4,
                    help="smallest allowed distance of a sampling draw or top-p cut from a boundary "
                         "(probability units)")
    args = ap.parse_args()
    t0 = time.time()
    if args.check:
        with tempfile.TemporaryDirectory(prefix="tserve-golden-") as tmp:
            tmp_models = os.path.join(tmp, "models")
            tmp_golden = os.path.join(tmp, "golden")
            make_test_models.make_all(tmp_models)
            diffs = ["models/" + d for d in make_test_models.compare_trees(tmp_models, args.models)]
            names = model_names(args.models)
            ok = write_golden(args.models, tmp_golden, names, args.min_margin, args.min_sampling_margin, quiet=True)
            diffs += ["golden/" + d for d in make_test_models.compare_trees(tmp_golden, args.out)]
        if diffs or not ok:
            print("differences from a fresh generation:\n  " + "\n  ".join(diffs))
            return 1
        print(f"models and golden data identical to a fresh generation ({len(names)} models, "
              f"{time.time() - t0:.1f} s)")
        return 0
    names = model_names(args.models)
    ok = write_golden(args.models, args.out, names, args.min_margin, args.min_sampling_margin)
    print(f"wrote {args.out} in {time.time() - t0:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
