#!/usr/bin/python3
"""Writes tests/data/tokenizers/t5/: a T5-layout tokenizer directory and its expected ids.

The directory holds what a T5 / Flan-T5 model publishes for its tokenizer:
  spiece.model             a unigram SentencePiece model trained here by Debian's spm_train
                           with T5's special ids (<pad> 0, </s> 1, <unk> 2, no <s>) on a
                           small seeded English corpus (the real one is 792 kB)
  tokenizer_config.json    T5Tokenizer, extra_ids 100 and the 100 sentinels listed as
  special_tokens_map.json  additional_special_tokens, as google/flan-t5-* has them
  tokenizer.json           the same ids in the fast tokenizer's form: a Unigram model whose
                           vocab is [piece, score] in id order (T5Converter: the
                           SentencePiece pieces, then <extra_id_99> ... <extra_id_0>) and
                           the added tokens <pad> </s> <unk> <extra_id_N>
and expected.json: the ids of source texts under T5Tokenizer's legacy and non-legacy
rules, target-side ids and decoded texts, computed with Debian's python3-sentencepiece and
a transcription of transformers' T5Tokenizer / PreTrainedTokenizer.tokenize (below),
except that "</s>", "<pad>" and "<unk>" in a text stay text (tserve's rule; transformers
would make them special tokens). tests/engine/t5_tokenizer_test.cc compares tserve with
it.

Usage:
  /usr/bin/python3 tools/make_t5_tokenizer_fixture.py [--check]
      (--check: regenerate into a temporary directory and compare, exit 1 if not equal)
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile

import sentencepiece as spm

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join("tests", "data", "tokenizers", "t5")
SEED = 20260105
EXTRA_IDS = 100
SPIECE_UNDERLINE = "\u2581"
# T5Tokenizer.get_spm_processor(legacy=False) merges NormalizerSpec(add_dummy_prefix=False)
# into the model; appending that message (ModelProto field 3 holding field 3 = 0) to the
# serialized model makes libsentencepiece's protobuf merge it the same way.
NO_DUMMY_PREFIX = b"\x1a\x02\x18\x00"

WORDS = (
    "the a an house is wonderful small big old new dog cat walks runs in on at park garden "
    "translate English German French to summarize question answer what who where when why "
    "how many people live city country river mountain day night today yesterday tomorrow "
    "good bad quick brown fox jumps over lazy sleeps eats reads writes book letter music "
    "café naïve résumé über straße ﬁne ½ 3 42 2026 1,000 e-mail don't it's "
    "<b>bold</b> x > y < z & (parens) [brackets] {braces} \"quotes\" 'single' "
    "sentence: premise: hypothesis: cola stsb mnli rte question: context: snake_case id_7"
).split()


def corpus_lines(r):
    lines = []
    for _ in range(600):
        n = r.randint(3, 14)
        words = [r.choice(WORDS) for _ in range(n)]
        line = " ".join(words)
        if r.random() < 0.3:
            line = line.capitalize()
        lines.append(line + r.choice([".", "!", "?", "", ","]))
    return lines


def train(workdir, lines):
    """Debian's spm_train, single thread, relative paths: the same bytes every run."""
    with open(os.path.join(workdir, "corpus.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    cmd = ["spm_train", "--input=corpus.txt", "--model_prefix=spiece", "--model_type=unigram",
           "--vocab_size=300", "--hard_vocab_limit=false", "--character_coverage=1.0",
           "--pad_id=0", "--eos_id=1", "--unk_id=2", "--bos_id=-1", "--num_threads=1",
           "--input_sentence_size=0", "--shuffle_input_sentence=false"]
    subprocess.run(cmd, cwd=workdir, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    with open(os.path.join(workdir, "spiece.model"), "rb") as f:
        return f.read()


class T5Reference:
    """transformers' T5Tokenizer (tokenization_t5.py) with PreTrainedTokenizer.tokenize,
    for one spiece.model and extra_ids; `legacy` as tokenizer_config.json's."""

    def __init__(self, model_bytes, extra_ids, legacy, add_prefix_space=True):
        self.legacy = legacy
        self.add_prefix_space = add_prefix_space
        self.extra_ids = extra_ids
        self.sp = spm.SentencePieceProcessor(
            model_proto=model_bytes if legacy else model_bytes + NO_DUMMY_PREFIX)
        n = self.sp.get_piece_size()
        # _added_tokens_decoder[len(sp_model) - 1 + extra_ids - i] = "<extra_id_{i}>"
        self.sentinels = {f"<extra_id_{i}>": n - 1 + extra_ids - i for i in range(extra_ids)}
        self.specials = {"<pad>", "</s>", "<unk>"} | set(self.sentinels)
        # The tokens trie, leftmost and then longest match first; tserve's set: the sentinels.
        alternatives = sorted(self.sentinels, key=len, reverse=True)
        self.trie = re.compile("|".join(re.escape(t) for t in alternatives)) if alternatives \
            else None
        self.unk_token_length = len(self.sp.encode("<unk>", out_type=str))

    def split(self, text):
        if self.trie is None:
            return [text] if text else []
        parts, start = [], 0
        for m in self.trie.finditer(text):
            if m.start() > start:
                parts.append(text[start:m.start()])
            parts.append(m.group())
            start = m.end()
        if start < len(text):
            parts.append(text[start:])
        return parts

    def _tokenize(self, text):
        if self.legacy or not text.startswith((SPIECE_UNDERLINE, " ")):
            return self.sp.encode(text, out_type=str)
        tokens = self.sp.encode("<unk>" + text, out_type=str)
        return tokens[self.unk_token_length:] if len(tokens) >= self.unk_token_length else tokens

    def base_tokenize(self, text):
        tokens = self.split(text)
        for i, token in enumerate(tokens):
            if token in self.sentinels:  # AddedToken(lstrip=True, rstrip=True)
                left = tokens[i - 1] if i > 0 else None
                right = tokens[i + 1] if i < len(tokens) - 1 else None
                if right:
                    tokens[i + 1] = right.lstrip()
                if left:
                    tokens[i - 1] = left.rstrip()
        out = []
        for token in tokens:
            if not token:
                continue
            if token in self.sentinels:
                out.append(token)
            else:
                out.extend(self._tokenize(token))
        return out

    def tokenize(self, text):
        if self.legacy or len(text) == 0:
            return self.base_tokenize(text)
        text = text.replace(SPIECE_UNDERLINE, " ")
        if self.add_prefix_space:
            text = SPIECE_UNDERLINE + text
        tokens = self.base_tokenize(text)
        if len(tokens) > 1 and tokens[0] == SPIECE_UNDERLINE and tokens[1] in self.specials:
            tokens = tokens[1:]
        return tokens

    def token_id(self, token):
        return self.sentinels[token] if token in self.sentinels else self.sp.piece_to_id(token)

    def encode(self, text):
        return [self.token_id(t) for t in self.tokenize(text)] + [1]  # + </s>

    def decode(self, ids):
        """decode(ids, skip_special_tokens=True); ids past the vocabulary are dropped."""
        n = self.sp.get_piece_size()
        special_ids = {0, 1, 2} | set(self.sentinels.values())
        tokens = [self.sp.id_to_piece(i) for i in ids if i < n and i not in special_ids]
        if not tokens:
            return ""
        if tokens[0].startswith(SPIECE_UNDERLINE) and self.add_prefix_space:
            tokens[0] = tokens[0][1:]
        return self.sp.decode_pieces(tokens).strip()


def source_texts(r):
    fixed = [
        "translate English to German: The house is wonderful.",
        "Hello world", "", " ", "   leading and trailing spaces   ", "tabs\tand\nnew lines",
        "ﬁne café ½ naïve", "unknown ✓ characters ✓✓ here", "Ωμέγα and 日本語",
        "a \u2581 visible space and \u2581\u2581 two", "\u2581starts with it",
        "</s> and <pad> and <unk> stay text", "<s>", "x > y < z",
        "The <extra_id_0> walks in <extra_id_1> park",
        "<extra_id_0> at the start", "at the end <extra_id_0>",
        "twice <extra_id_0><extra_id_1> in a row", "<extra_id_0> <extra_id_0>",
        "<extra_id_0>", " <extra_id_0> ", "<extra_id_99> is the last sentinel",
        "<extra_id_100> is beyond the count", "<extra_id_999> is far beyond",
        "<extra_id_01> has a leading zero", "<extra_id_> has no number",
        "<extra_id_-1> <extra_id_ 3> <EXTRA_ID_3> <extra_id_3 >",
        "<extra_id_<extra_id_3>> nested", "a\t<extra_id_2>\n b",
        "ideographic\u3000<extra_id_4>\u3000spaces", "nbsp\u00a0<extra_id_5>\u00a0x",
        "only the sentinel follows <extra_id_6>", "question: who<extra_id_7>? answer",
        "<extra_id_8>\u2581after", "\u2581<extra_id_9>", "<extra_id_10> \u2581 <extra_id_11>",
        "<extra_id_12><extra_id_13><extra_id_14>",
    ]
    pieces = WORDS + ["✓", "日本", " ", "  ", "\t", "\u2581", "</s>", "<pad>", "<unk>", ">",
                      "<", "<extra_id_", "<extra_id_1", "0>", "\u3000"]
    mixed = []
    for _ in range(300):
        parts = []
        for _ in range(r.randint(1, 10)):
            roll = r.random()
            if roll < 0.25:
                parts.append(f"<extra_id_{r.choice([0, 1, 2, 9, 10, 42, 99, 100, 123])}>")
            else:
                parts.append(r.choice(pieces))
            parts.append(r.choice(["", " ", " ", "  ", "\n"]))
        mixed.append("".join(parts))
    return fixed + mixed


def decode_cases(r, size):
    cases = [[], [0, 1, 2], [size + EXTRA_IDS - 1], [size, size + EXTRA_IDS + 27]]
    for _ in range(150):
        ids = []
        for _ in range(r.randint(1, 12)):
            roll = r.random()
            if roll < 0.1:
                ids.append(r.choice([0, 1, 2]))
            elif roll < 0.2:
                ids.append(size + r.randrange(EXTRA_IDS + 28))  # sentinels and unused rows
            else:
                ids.append(r.randrange(3, size))
        cases.append(ids)
    return cases


def fast_tokenizer_json(model_bytes):
    sp = spm.SentencePieceProcessor(model_proto=model_bytes)
    n = sp.get_piece_size()
    vocab = [[sp.id_to_piece(i), sp.get_score(i)] for i in range(n)]
    vocab += [[f"<extra_id_{i}>", 0.0] for i in range(EXTRA_IDS - 1, -1, -1)]

    def added(i, content):
        return {"id": i, "content": content, "single_word": False, "lstrip": False,
                "rstrip": False, "normalized": False, "special": True}

    added_tokens = [added(0, "<pad>"), added(1, "</s>"), added(2, "<unk>")]
    added_tokens += [added(n - 1 + EXTRA_IDS - i, f"<extra_id_{i}>")
                     for i in range(EXTRA_IDS - 1, -1, -1)]
    metaspace = {"type": "Metaspace", "replacement": SPIECE_UNDERLINE,
                 "prepend_scheme": "always", "split": True}
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added_tokens,
        "normalizer": None,  # the real file has the model's precompiled charsmap; unread
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "WhitespaceSplit"}, metaspace]},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "pair": [{"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "</s>", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 0}},
                     {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "special_tokens": {"</s>": {"id": "</s>", "ids": [1], "tokens": ["</s>"]}}},
        "decoder": metaspace,
        "model": {"type": "Unigram", "unk_id": 2, "vocab": vocab, "byte_fallback": False},
    }


def json_text(obj, indent=None):
    return json.dumps(obj, ensure_ascii=False, indent=indent, sort_keys=indent is None) + "\n"


def expected_text(model_bytes):
    r = random.Random(SEED + 1)
    legacy = T5Reference(model_bytes, EXTRA_IDS, legacy=True)
    modern = T5Reference(model_bytes, EXTRA_IDS, legacy=False)
    size = legacy.sp.get_piece_size()
    texts = source_texts(r)
    lines = ["{", f' "extra_ids": {EXTRA_IDS},', f' "sentencepiece_size": {size},',
             ' "source": [']
    sources = [{"text": t, "legacy": legacy.encode(t), "non_legacy": modern.encode(t),
                "target": [legacy.sp.piece_to_id(p) for p in legacy.sp.encode(t, out_type=str)]}
               for t in texts]
    lines += ["  " + json.dumps(s, ensure_ascii=False, sort_keys=True) +
              ("," if i + 1 < len(sources) else "") for i, s in enumerate(sources)]
    lines += [" ],", ' "decode": [']
    decodes = [{"ids": ids, "text": legacy.decode(ids)} for ids in decode_cases(r, size)]
    lines += ["  " + json.dumps(d, ensure_ascii=False, sort_keys=True) +
              ("," if i + 1 < len(decodes) else "") for i, d in enumerate(decodes)]
    lines += [" ]", "}"]
    return "\n".join(lines) + "\n"


def make_files(workdir):
    """name -> bytes of every file of the fixture directory."""
    model = train(workdir, corpus_lines(random.Random(SEED)))
    sentinels = [f"<extra_id_{i}>" for i in range(EXTRA_IDS)]
    config = {"additional_special_tokens": sentinels, "eos_token": "</s>",
              "extra_ids": EXTRA_IDS, "model_max_length": 512, "pad_token": "<pad>",
              "tokenizer_class": "T5Tokenizer", "unk_token": "<unk>"}
    special = {"additional_special_tokens": sentinels, "eos_token": "</s>",
               "pad_token": "<pad>", "unk_token": "<unk>"}
    return {
        "spiece.model": model,
        "tokenizer_config.json": json_text(config, indent=2).encode(),
        "special_tokens_map.json": json_text(special, indent=2).encode(),
        "tokenizer.json": json_text(fast_tokenizer_json(model), indent=2).encode(),
        "expected.json": expected_text(model).encode(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="compare a fresh generation with the committed files")
    args = parser.parse_args()
    out = os.path.join(REPO, OUT)
    with tempfile.TemporaryDirectory() as workdir:
        files = make_files(workdir)
    status = 0
    if not args.check:
        os.makedirs(out, exist_ok=True)
    for name, data in sorted(files.items()):
        path = os.path.join(out, name)
        if args.check:
            try:
                with open(path, "rb") as f:
                    same = f.read() == data
            except FileNotFoundError:
                same = False
            print(f"{path}: {'identical to a fresh generation' if same else 'DIFFERS'}")
            status |= 0 if same else 1
        else:
            with open(path, "wb") as f:
                f.write(data)
            print(f"wrote {path} ({len(data)} bytes)")
    return status


if __name__ == "__main__":
    sys.exit(main())
