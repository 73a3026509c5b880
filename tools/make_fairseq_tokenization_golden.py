#!/usr/bin/python3
"""Writes the expected tokenization of NLLB-200- and M2M100-layout tokenizer directories.

The directories (tests/data/tokenizers/nllb-layout, m2m100-layout) hold the files as
Hugging Face publishes them: a BPE `sentencepiece.bpe.model` (trained here by Debian's
`spm_train --model_type=bpe` on a seeded corpus in Latin, Cyrillic, CJK and Arabic
script: the real ones are too large to commit and CC-BY-NC), and NLLB's real
`tokenizer_config.json` and `special_tokens_map.json` (202 language codes) with a
`tokenizer.json` of the same ids, or M2M100's `vocab.json` (fairseq's dictionary order,
not SentencePiece's, with some pieces missing) and its 100 language tokens.

For a few thousand seeded sentences and mixtures of hard fragments per directory, the
reference tokenizer (tools/tserve_ref/tokenizer.py: libsentencepiece plus transformers'
NllbTokenizer / M2M100Tokenizer rules) gives the expected source ids (or the kind of
refusal), with source and target languages in several forms, token limits, NLLB's
legacy_behaviour order, target-side ids and the decoded text of id sequences with
special tokens and ids outside the vocabulary.
tests/engine/fairseq_tokenizer_test.cc compares tserve's tokenizer with it.

Usage:
  /usr/bin/python3 tools/make_fairseq_tokenization_golden.py [--check]
      the golden files of the committed directories (--check: compare, exit 1 if not equal)
  /usr/bin/python3 tools/make_fairseq_tokenization_golden.py --models
      retrain and rewrite the directories' tokenizer files, then the golden files
  /usr/bin/python3 tools/make_fairseq_tokenization_golden.py --model-dir DIR --out FILE
      a golden file for any directory, e.g. a real facebook/nllb-200-distilled-600M or
      facebook/m2m100_418M; the test compares it when TSERVE_FAIRSEQ_GOLDEN names it
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_test_models  # noqa: E402
from make_tokenization_golden import dump, write_or_check  # noqa: E402
from tserve_ref.tokenizer import (  # noqa: E402
    M2M100_LANGUAGE_CODES, NllbTokenizer, TokenizationError, fast_tokenizer_json,
    load_fairseq_tokenizer)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join("tests", "data", "tokenizers")
NLLB_DIR = os.path.join(DATA, "nllb-layout")
M2M100_DIR = os.path.join(DATA, "m2m100-layout")
SEED = 20261203
SENTENCES_PER_SCRIPT = 450
MIXED_PER_SCRIPT = 120
DECODE_CASES = 500

SCRIPTS = ["latin", "cyrillic", "cjk", "arabic"]
# (source, target) language of each script's texts, and the pairs of the other forms.
PAIRS = {
    "nllb": {"latin": ("eng_Latn", "fra_Latn"), "cyrillic": ("rus_Cyrl", "eng_Latn"),
             "cjk": ("zho_Hans", "deu_Latn"), "arabic": ("arb_Arab", "spa_Latn")},
    "m2m100": {"latin": ("en", "fr"), "cyrillic": ("ru", "en"), "cjk": ("zh", "de"),
               "arabic": ("ar", "es")},
}


class Rng(make_test_models.Rand):
    def zipf(self, n):
        """Low indexes much more frequent, as in real text."""
        return min(n - 1, int(n ** self.rng.next_double()) - 1)


def lexicon(script, size, seed):
    """Word-like strings of one script from its letters (Unicode ranges)."""
    r = Rng(seed)
    cons = {"latin": "tnsrlmdcpbgvfhzjqxkwyñç", "cyrillic": "нтсрвлкмдпзбгчйхжшцщфъь"}
    vowels = {"latin": "eaoiuáéíóúüàè", "cyrillic": "оаеиуяыюэё"}
    words = []
    while len(words) < size:
        word = ""
        if script in cons:
            c, v = cons[script], vowels[script]
            for _ in range(1 + r.below(4)):
                if r.below(5):
                    word += c[r.zipf(len(c))]
                word += v[r.zipf(len(v))]
                if r.below(4) == 0:
                    word += c[r.zipf(len(c))]
        elif script == "cjk":
            japanese = r.below(2) == 0
            for _ in range(1 + r.below(3)):
                word += chr(0x4E00 + r.zipf(3000) * 7)
                if japanese:
                    word += chr(0x3042 + r.zipf(80))
        else:
            for _ in range(2 + r.below(5)):
                word += chr(0x0627 + r.zipf(36))
                if r.below(12) == 0:
                    word += chr(0x064B + r.below(8))
        words.append(word)
    return words


def sentence(r, script, words):
    parts = []
    for i in range(2 + r.below(14)):
        word = words[r.zipf(len(words))]
        if script == "latin" and i == 0:
            word = word[0].upper() + word[1:]
        if r.below(9) == 0:
            word += {"cjk": "、", "arabic": "،"}.get(script, ",")
        if r.below(25) == 0:
            word += "٤٢" if script == "arabic" else "42"
        parts.append(word)
    text = ("" if script == "cjk" else " ").join(parts)
    end = {"cjk": ("。", "？"), "arabic": (".", "؟")}.get(script, (".", "?"))
    return text + end[1 if r.below(4) == 0 else 0]


# Fragments that stress normalization, unknown characters and special-token look-alikes.
FRAGMENTS = [" ", "  ", "\t", "\n", "\u00a0", "\u3000", "\u200b", "\u2581", "a\u2581b", ".",
             ",", "!", "?", "-", "'", "\"", "(", "0", "1999", "e\u0301", "\u00e9", "\ufb01",
             "\uff28\uff45\uff4c\uff4c\uff4f", "\u2460", "\u338f", "\u00bd", "\uff76", "\u2026",
             "\U0001f600", "\U0001f44d\U0001f3fd", "\u9f98", "\uac00\ub098", "\u0928\u092e",
             "\u03b1\u03b2\u03b3", "\U0001d400", "\x01", "\x7f", "\u0085", "\ufffd",
             "<unk>", "<s>", "</s>", "<pad>", "<mask>", "eng_Latn", "fra_Latn", "__en__",
             "__fr__", ">>fra<<", "<0x41>", "\u2581<s>"]


def mixed(r, words):
    out = ""
    for _ in range(r.below(14)):
        kind = r.below(10)
        if kind < 3:
            out += FRAGMENTS[r.below(len(FRAGMENTS))]
        elif kind < 9:
            out += words[r.zipf(len(words))]
        else:
            out += " " * (1 + r.below(4))
        if r.below(2) == 0:
            out += " "
    return out


def texts_by_script(seed, sentences, mixtures):
    out = {}
    for s, script in enumerate(SCRIPTS):
        words = lexicon(script, 3000, seed + s)
        r = Rng(seed + 100 + s)
        out[script] = ([sentence(r, script, words) for _ in range(sentences)] +
                       [mixed(r, words) for _ in range(mixtures)])
    return out


# ---------------------------------------------------------------- the directories

def train_bpe(lines, vocab_size, normalization, workdir):
    """Debian's spm_train, single thread, relative paths: the same bytes every run."""
    with open(os.path.join(workdir, "corpus.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    cmd = ["spm_train", "--input=corpus.txt", "--model_prefix=sentencepiece.bpe",
           "--model_type=bpe", f"--vocab_size={vocab_size}", "--character_coverage=0.9995",
           "--num_threads=1", "--input_sentence_size=0", "--shuffle_input_sentence=false",
           f"--normalization_rule_name={normalization}"]
    subprocess.run(cmd, cwd=workdir, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    with open(os.path.join(workdir, "sentencepiece.bpe.model"), "rb") as f:
        return f.read()


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=2)
        f.write("\n")


def make_directories():
    corpus_texts = texts_by_script(SEED + 7, 2500, 0)
    corpus = [line for script in SCRIPTS for line in corpus_texts[script]]
    nllb = os.path.join(REPO, NLLB_DIR)
    m2m = os.path.join(REPO, M2M100_DIR)
    with tempfile.TemporaryDirectory(prefix="tserve-bpe-") as workdir:
        nllb_model = train_bpe(corpus, 4000, "nmt_nfkc", workdir)
        m2m_model = train_bpe(corpus[::2], 3000, "identity", workdir)
    with open(os.path.join(nllb, "sentencepiece.bpe.model"), "wb") as f:
        f.write(nllb_model)
    write_json(os.path.join(nllb, "tokenizer.json"), fast_tokenizer_json(NllbTokenizer(nllb)))
    with open(os.path.join(m2m, "sentencepiece.bpe.model"), "wb") as f:
        f.write(m2m_model)
    # fairseq's dictionary order (not SentencePiece's) with every 37th piece missing.
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_proto=m2m_model)
    pieces = [sp.id_to_piece(i) for i in range(3, len(sp))]
    r = Rng(SEED + 3)
    for i in range(len(pieces) - 1, 0, -1):
        j = r.below(i + 1)
        pieces[i], pieces[j] = pieces[j], pieces[i]
    vocab = {p: i for i, p in enumerate(["<s>", "<pad>", "</s>", "<unk>"])}
    for k, p in enumerate(pieces):
        if k % 37 != 5:
            vocab[p] = len(vocab)
    write_json(os.path.join(m2m, "vocab.json"), vocab)
    codes = M2M100_LANGUAGE_CODES["m2m100"]
    write_json(os.path.join(m2m, "special_tokens_map.json"), {
        "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>",
        "pad_token": "<pad>", "additional_special_tokens": [f"__{c}__" for c in codes]})
    write_json(os.path.join(m2m, "tokenizer_config.json"), {
        "tokenizer_class": "M2M100Tokenizer", "language_codes": "m2m100", "src_lang": None,
        "tgt_lang": None, "num_madeup_words": 8, "model_max_length": 1024,
        "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>",
        "pad_token": "<pad>", "sp_model_kwargs": {}})


# ---------------------------------------------------------------- the cases

def expected(tok, text, source, target, required=True, limit=None, truncate=False,
             legacy=False):
    case = {"text": text, "source": source, "target": target}
    if not required:
        case["target_optional"] = True
    if limit is not None:
        case.update({"limit": limit, "truncate": truncate})
    if legacy:
        case["legacy"] = True
    try:
        case["ids"] = tok.encode(text, source, target, required, limit, truncate)
    except TokenizationError as e:
        case["error"] = e.kind
    return case


def make_document(model_dir, family_hint=None):
    tok = load_fairseq_tokenizer(model_dir)
    family = "m2m100" if "m2m100" in type(tok).__name__.lower() else "nllb"
    pairs = PAIRS[family_hint or family]
    if any(code not in tok.language_ids for pair in pairs.values() for code in pair):
        codes = tok.languages()
        pairs = {s: (codes[i % len(codes)], codes[(i + 1) % len(codes)])
                 for i, s in enumerate(SCRIPTS)}
    texts = texts_by_script(SEED, SENTENCES_PER_SCRIPT, MIXED_PER_SCRIPT)
    cases = []
    for script in SCRIPTS:
        source, target = pairs[script]
        cases += [expected(tok, t, source, target) for t in texts[script]]
    some = [texts[s][i] for i in range(3) for s in SCRIPTS]
    source, target = pairs["latin"]
    first = tok.languages()[0]
    for text in some:
        cases += [
            expected(tok, text, None, target),                    # no source language
            expected(tok, text, "xx_Unknown", target),            # unknown source
            expected(tok, text, source, "xx_Unknown"),            # unknown target
            expected(tok, text, source, None),                    # no target, Translate
            expected(tok, text, source, None, required=False),    # no target, Encode
            expected(tok, text, source.upper(), target),          # wrong case
            expected(tok, text, f"__{source}__", target),         # the token, not the code
            expected(tok, text, first, source),                   # any pair
            expected(tok, text, target, target),                  # same language
        ]
    for limit in (1, 2, 3, 5, 8):
        for truncate in (False, True):
            cases += [expected(tok, t, source, target, limit=limit, truncate=truncate)
                      for t in some[:4]]
    if isinstance(tok, NllbTokenizer):
        legacy = NllbTokenizer(model_dir, legacy=True)
        for script in SCRIPTS:
            source, target = pairs[script]
            cases += [expected(legacy, t, source, target, legacy=True) for t in texts[script][:40]]
        cases += [expected(legacy, t, *pairs["latin"], limit=5, truncate=True,
                           legacy=True) for t in some[:4]]
    decode = []
    r = Rng(SEED + 11)
    specials = sorted(tok.special_ids)
    all_texts = [t for s in SCRIPTS for t in texts[s]]
    for i in range(DECODE_CASES):
        text = all_texts[(i * 7) % len(all_texts)]
        ids = tok.encode_target(text)
        if i % 2:
            ids = [tok.eos_id, tok.target_language_id(pairs["latin"][1])] + ids + [tok.eos_id]
        if i % 3 == 0:
            for _ in range(1 + r.below(3)):
                extra = [specials[r.below(len(specials))], tok.size, tok.size + 1, -1]
                ids.insert(r.below(len(ids) + 1), extra[r.below(len(extra))])
        if i % 5 == 0:
            ids = [r.below(tok.size) for _ in range(r.below(12))]
        decode.append({"ids": ids, "text": tok.decode(ids), "source_text": text})
    return {
        "model_dir": model_dir,
        "family": family,
        "languages": tok.languages(),
        "language_ids": {c: tok.language_ids[c] for c in tok.languages()},
        "vocab_size": tok.size,
        "eos": tok.eos_id,
        "unk": tok.unk_id,
        "pad": tok.pad_id,
        "cases": cases,
        "decode": decode,
    }


def golden_path(model_dir):
    return os.path.join(REPO, model_dir + "-golden.json")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true",
                    help="regenerate in memory and compare with the committed files")
    ap.add_argument("--models", action="store_true",
                    help="retrain the directories' tokenizer files first")
    ap.add_argument("--model-dir", help="a golden file for this directory instead")
    ap.add_argument("--out", help="where --model-dir's golden file goes")
    args = ap.parse_args()
    if args.model_dir:
        if not args.out:
            ap.error("--model-dir needs --out")
        document = make_document(os.path.abspath(args.model_dir))
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(dump(document))
        print(f"wrote {args.out}: {len(document['cases'])} cases, "
              f"{len(document['decode'])} decodings")
        return 0
    if args.models:
        make_directories()
    status = 0
    os.chdir(REPO)  # model_dir is recorded relative to the repository
    for model_dir in (NLLB_DIR, M2M100_DIR):
        document = make_document(model_dir)
        text = dump(document)
        counts = f"{len(document['cases'])} cases, {len(document['decode'])} decodings"
        status |= write_or_check(golden_path(model_dir), text, args.check, counts)
    return status


if __name__ == "__main__":
    sys.exit(main())
