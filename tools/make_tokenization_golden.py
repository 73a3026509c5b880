#!/usr/bin/python3
"""Writes the expected source tokenization of a real multilingual OPUS-MT model.

The model files are those of opus-mt-tc-big-en-pt (tests/data/opus-mt/tc-big-en-pt:
target-language tokens >>por<< and >>pob<<, special tokens in the middle of the
vocabulary). For a few hundred English texts, each with a target language given as
the request field, as a >>xx<< text prefix, both, or neither, the reference tokenizer
(tools/tserve_ref/tokenizer.py: libsentencepiece and transformers' MarianTokenizer
rules for language codes, plus tserve's rules where MarianTokenizer would silently
produce <unk>) gives the expected ids or the kind of error tserve must answer with.
tests/engine/language_tokens_test.cc compares tserve's tokenizer with it.

The texts are made deterministically: English-like sentences from the word lists of
tools/make_test_models.py, and hand-written hard cases (punctuation, digits, accents,
CJK, emoji, spaces, language codes in every odd place). The file also holds, for
random strings over the characters that matter to the language-code rules, how
MarianTokenizer's regular expression splits them, and target-side ids of Portuguese
sentences with their decoded text.

Output: tests/data/opus-mt/tc-big-en-pt-tokenization.json, one case per line.
`--check` regenerates in memory and compares with the file (exit status 1 when they
differ).

Usage:
  /usr/bin/python3 tools/make_tokenization_golden.py [--check]
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_test_models  # noqa: E402
from tserve_ref.decoding import SplitMix64  # noqa: E402
from tserve_ref.tokenizer import (  # noqa: E402
    MarianTokenizer, TokenizationError, split_language_codes)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL_DIR = os.path.join("tests", "data", "opus-mt", "tc-big-en-pt")
OUT = os.path.join(REPO, "tests", "data", "opus-mt", "tc-big-en-pt-tokenization.json")
SEED = 20240611
CORPUS_SENTENCES = 240
SPLIT_STRINGS = 300

# How a corpus sentence names its target language, in turn: (text prefix, request field).
# The last two are refused: no language at all, and two different ones.
LANGUAGE_FORMS = [
    ("", "por"),
    ("", "pob"),
    (">>por<< ", None),
    (">>pob<<", None),
    (">>por<< ", "por"),
    (">>pob<< ", None),
    ("", "por"),
    (">>por<<", None),
    ("", None),
    (">>pob<< ", "por"),
]

# (text, target_language) of hand-written texts; None: no field.
HARD_CASES = [
    # Punctuation, digits, accents, scripts other than Latin, emoji.
    ("Hello, world! (Really?) Yes: no; maybe...", "por"),
    ("\"Quoted\" and 'single' \u2014 a dash \u2013 an en dash \u2026", "por"),
    ("e-mail: someone@example.com, see https://example.org/a?b=c&d=e#f", "pob"),
    ("Call 555-0123 at 10:30 on 2024-06-07.", "por"),
    ("3.14159 \u00d7 2 = 6.28318; 1,000,000 people; 50% off; $19.99 or \u20ac5", "pob"),
    ("Caf\u00e9, na\u00efve, r\u00e9sum\u00e9, jalape\u00f1o, S\u00e3o Paulo, cora\u00e7\u00e3o",
     "por"),
    ("\u00c5ngstr\u00f6m, \u00d8resund, \u00c6sir, Stra\u00dfe, \u00fcber", "pob"),
    ("Decomposed: e\u0301 a\u0300 n\u0303 (combining marks)", "por"),
    ("Full-width \uff21\uff22\uff23 \uff11\uff12\uff13 and ligature \ufb01ne", "por"),
    ("\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8", "por"),
    ("\u4e2d\u6587\u53e5\u5b50\u3002", "pob"),
    ("\ud55c\uad6d\uc5b4 \ubb38\uc7a5", "por"),
    ("\u0420\u0443\u0441\u0441\u043a\u0438\u0439 \u0442\u0435\u043a\u0441\u0442 and "
     "\u0627\u0644\u0639\u0631\u0628\u064a\u0629", "por"),
    ("I love pizza \U0001f355\U0001f600!", "por"),
    ("\U0001f44d\U0001f3fd family: \U0001f468\u200d\U0001f469\u200d\U0001f467", "pob"),
    # Whitespace.
    ("Two  spaces   and    four", "por"),
    ("A tab\there and a\u00a0no-break space", "por"),
    ("  leading spaces", "por"),
    ("trailing spaces  ", "pob"),
    ("   both   ", "por"),
    ("line one\nline two", "por"),
    ("   ", "por"),
    ("", "por"),
    # The language as a text prefix, alone or with the field.
    (">>por<<", None),
    (">>pob<<", "pob"),
    (">>por<<", "pob"),
    (">>por<<Hello", None),
    (">>pob<< Hello", None),
    (">>por<<  Hello  ", None),
    (">>por<<\nHello", None),
    (">>por<<\r\nHello", None),
    (">>por<< Hello", "por"),
    (">>por<< Hello", "pob"),
    # Codes that are not the model's: unknown, wrong case, non-ASCII, very long.
    (">>xyz<< Hello", None),
    (">>xyz<< Hello", "por"),
    ("Hello", "xyz"),
    ("Hello", "POR"),
    ("Hello", ">>por<<"),
    (">>POR<< Hello", None),
    (">>p\u00f6r<< Hello", None),
    (">>" + "very long code " * 5 + "<< Hello", None),
    (">>>por<< Hello", None),
    (">><<< Hello", None),
    # Several codes: greedy up to the last << of the line, so one unknown code.
    (">>por<< >>pob<< Hello", None),
    (">>por<< Hello >>pob<< world", None),
    (">>por<<>>por<< Hello", None),
    (">>por<< a >>b<< c", "por"),
    # A newline ends a code: the next line's codes are only removed.
    (">>por<<\n>>pob<< Hello", None),
    (">>por<<\n>>pob<< Hello", "pob"),
    (">>pob<< one\n>>xyz<< two", None),
    # '.' matches every character but '\n', U+2028 and '\r' included.
    (">>por<<\u2028>>pob<< Hello", None),
    (">>por<<\r>>pob<< Hello", None),
    # Codes not at the start: removed from the text, never a language token.
    ("Hello >>por<< world", "por"),
    ("Hello >>por<< world", None),
    (" >>por<< Hello", None),
    (" >>por<< Hello", "por"),
    ("Hello >>por<< big >>pob<< world", "pob"),
    ("one >>a<<\ntwo >>b<< three", "por"),
    # << and >> that are no code.
    ("a << b", "por"),
    ("a >> b", "por"),
    ("<<", "por"),
    (">>", "por"),
    ("<< Hello >>", "por"),
    (">><<", "por"),
    (">><< Hello", None),
    ("x >>> y <<< z", "por"),
    ("shift: x >> 2 and y << 3", "pob"),
    # Control-token text is ordinary text: never </s>, <pad> or <unk> tokens.
    ("a </s> b <pad> c <unk> d", "por"),
    ("</s>", "pob"),
]

# (text, target_language, limit, truncate): the token limit and truncation.
LIMIT_CASES = [
    ("The old dog sleeps in the garden today.", "por", 5, True),
    ("The old dog sleeps in the garden today.", "por", 5, False),
    ("The old dog sleeps in the garden today.", "por", 2, True),
    ("The old dog sleeps in the garden today.", "por", 1, True),
    (">>pob<< The old dog sleeps in the garden today.", None, 3, True),
    ("Short.", "por", 4, False),
    ("Short.", "por", 3, False),
]

# Without a required language (encoder states): a model with several languages
# accepts a text that names none.
OPTIONAL_CASES = [
    ("The old dog sleeps.", None, None, False),
    (">>pob<< The old dog sleeps.", None, None, False),
    ("The old dog sleeps.", "por", None, False),
    (">>xyz<< The old dog sleeps.", None, None, False),
    ("The old dog sleeps.", None, 1, True),
]

# Target side: Portuguese texts, their target.spm ids and decoded text.
TARGET_TEXTS = [
    "O c\u00e3o velho dorme no jardim.",
    "Voc\u00ea j\u00e1 viu o rio hoje?",
    "A\u00e7\u00e3o, cora\u00e7\u00e3o e informa\u00e7\u00e3o s\u00e3o tr\u00eas palavras.",
    "N\u00ba 42: 3,5 km \u00e0s 18h30, \u20ac 12,99.",
    "\u00c9 preciso ter paci\u00eancia \u2014 muita paci\u00eancia!",
    "Ele disse: \u00abbom dia\u00bb e saiu.",
]

# Pieces of the random split strings: what matters to the language-code rules.
SPLIT_PIECES = [">>", ">>", "<<", "<<", ">", "<", "por", "a", " ", "\n", "\r", "\u00e9",
                "\u2028"]


def random_strings(seed, n):
    """`n` strings of 1 to 10 pieces; every other one starts with ">>"."""
    rng = SplitMix64(seed)
    out = []
    for i in range(n):
        length = 1 + int(rng.next_double() * 10)
        out.append(("" if i % 2 else ">>") +
                   "".join(SPLIT_PIECES[int(rng.next_double() * len(SPLIT_PIECES))]
                           for _ in range(length)))
    return out


def expected(tok, text, language, limit=None, truncate=False, required=True):
    case = {"text": text, "target_language": language}
    if limit is not None:
        case.update({"limit": limit, "truncate": truncate})
    if not required:
        case["language_optional"] = True
    try:
        ids = tok.encode(text, limit=limit, truncate=truncate, target_language=language,
                         required=required)
    except TokenizationError as e:
        case["error"] = e.kind
        return case
    case["ids"] = ids
    if limit is not None:
        full = tok.encode(text, target_language=language, required=required)
        case["truncated"] = len(full) > len(ids)
    return case


def make_cases(tok):
    cases = []
    corpus = make_test_models.make_corpus(SEED, make_test_models.EN, CORPUS_SENTENCES)
    for i, sentence in enumerate(corpus):
        prefix, language = LANGUAGE_FORMS[i % len(LANGUAGE_FORMS)]
        cases.append(expected(tok, prefix + sentence, language))
    for text, language in HARD_CASES:
        cases.append(expected(tok, text, language))
    for text, language, limit, truncate in LIMIT_CASES:
        cases.append(expected(tok, text, language, limit, truncate))
    for text, language, limit, truncate in OPTIONAL_CASES:
        cases.append(expected(tok, text, language, limit, truncate, required=False))
    return cases


def make_document():
    tok = MarianTokenizer(os.path.join(REPO, MODEL_DIR))
    splits = []
    for text in random_strings(SEED, SPLIT_STRINGS) + [t for t, _ in HARD_CASES]:
        code, rest = split_language_codes(text)
        splits.append({"text": text, "code": code, "rest": rest})
    target = []
    for text in TARGET_TEXTS:
        ids = tok.encode_target(text)[:-1]
        target.append({"text": text, "ids": ids, "decoded": tok.decode(ids)})
    return {
        "model_dir": MODEL_DIR,
        "languages": tok.target_languages(),
        "eos": tok.eos_id,
        "unk": tok.unk_id,
        "cases": make_cases(tok),
        "splits": splits,
        "target": target,
    }


def dump(document):
    """JSON with one case, split or target text per line."""
    def line(obj):
        return json.dumps(obj, ensure_ascii=False, sort_keys=True)

    lines = ["{"]
    keys = sorted(document)
    for k, key in enumerate(keys):
        value = document[key]
        end = "," if k + 1 < len(keys) else ""
        if isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f" {line(key)}: [")
            lines += [f"  {line(v)}" + ("," if i + 1 < len(value) else "")
                      for i, v in enumerate(value)]
            lines.append(" ]" + end)
        else:
            lines.append(f" {line(key)}: {line(value)}{end}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_or_check(path, text, check, counts):
    """Writes `text` to `path`, or (check) compares them; the exit status (1: differ)."""
    if check:
        try:
            with open(path, encoding="utf-8") as f:
                committed = f.read()
        except FileNotFoundError:
            committed = None
        if committed != text:
            print(f"{path} differs from a fresh generation; run {sys.argv[0]} without --check")
            return 1
        print(f"{path}: identical to a fresh generation ({counts})")
        return 0
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {path}: {counts}")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true",
                    help="regenerate in memory and compare with the committed file")
    args = ap.parse_args()
    document = make_document()
    text = dump(document)
    counts = (f"{len(document['cases'])} cases, {len(document['splits'])} splits, "
              f"{len(document['target'])} target texts")
    return write_or_check(OUT, text, args.check, counts)


if __name__ == "__main__":
    sys.exit(main())
