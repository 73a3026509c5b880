"""Tokenization of a T5 / mT5 directory as transformers' T5Tokenizer does it with
legacy=True (its default), and the directory's fast-tokenizer file.

Ids: the SentencePiece ids of `spiece.model` with no offset (<pad> 0, </s> 1, <unk> 2
in every T5 and mT5 model), then `extra_ids` sentinel tokens (tokenizer_config.json;
T5Tokenizer's default 100, mT5 ships 0) counted downwards from the end:
`<extra_id_N>` = number of pieces + extra_ids - 1 - N, so `<extra_id_0>` is the last
id of the tokenizer. config.json's vocab_size may exceed the tokenizer (t5-small:
32000 pieces + 100 sentinels, 32128 rows); those spare rows are never produced by the
tokenizer.

Encoding (T5Tokenizer.tokenize with legacy=True, then build_inputs_with_special_tokens):
the text is split at every sentinel token `<extra_id_N>` (N < extra_ids); the white
space on both sides of a sentinel is stripped from the neighbouring segments
(str.rstrip / str.lstrip, i.e. every Unicode white space: the sentinels are AddedTokens
with lstrip=True and rstrip=True in transformers >= 4.34, and plain-string special
tokens, stripped on both sides, before); each remaining non-empty segment is encoded by
SentencePiece on its own (SentencePiece adds its dummy prefix to each); `</s>` is
appended. The fast tokenizer (WhitespaceSplit + Metaspace pre-tokenizer on each segment)
gives the same ids. Unlike transformers, `</s>`, `<pad>` and `<unk>` typed in a text are
ordinary text here (tserve's rule for every family: only the sentinels are markup).

Decoding (decode(ids, skip_special_tokens=True)): <pad>, </s>, <unk>, the sentinels
and ids beyond the tokenizer (spare rows of the embedding, which T5Tokenizer cannot
convert and the fast tokenizer skips) are dropped; SentencePiece decodes the rest and
the result is stripped (convert_tokens_to_string); clean_up_tokenization_spaces is
applied when tokenizer_config.json sets it true (absent: false, transformers' default
since 4.45; earlier versions defaulted to true).
"""

import os
import re

import sentencepiece as spm

from .tokenizer import TokenizationError, _content, clean_up_tokenization, read_tokenizer_files

SENTINEL_RE = re.compile(r"<extra_id_(0|[1-9][0-9]*)>")
DEFAULT_EXTRA_IDS = 100  # T5Tokenizer's default


class T5Tokenizer:
    def __init__(self, model_dir):
        self.files = read_tokenizer_files(model_dir)
        self.sp = spm.SentencePieceProcessor(model_file=os.path.join(model_dir, "spiece.model"))
        self.pieces = self.sp.get_piece_size()
        self.extra_ids = int(self.files.get("extra_ids", DEFAULT_EXTRA_IDS))
        listed = [_content(t) for t in self.files.get("additional_special_tokens") or []]
        sentinels = [t for t in listed if SENTINEL_RE.fullmatch(t)]
        if listed and len(sentinels) != self.extra_ids:
            # T5Tokenizer refuses this combination too.
            raise ValueError(f"extra_ids is {self.extra_ids} but additional_special_tokens lists "
                             f"{len(sentinels)} <extra_id_N> tokens")
        if len(sentinels) != len(listed):
            raise ValueError("additional special tokens other than <extra_id_N> are not supported")
        self.size = self.pieces + self.extra_ids
        self.pad_id = self.sp.piece_to_id("<pad>")
        self.eos_id = self.sp.piece_to_id("</s>")
        self.unk_id = self.sp.unk_id()
        self.special_ids = {self.pad_id, self.eos_id, self.unk_id}
        self.clean_up = bool(self.files.get("clean_up_tokenization_spaces", False))

    def sentinel_id(self, n):
        if not 0 <= n < self.extra_ids:
            raise ValueError(f"no <extra_id_{n}> in a tokenizer with {self.extra_ids} extra ids")
        return self.size - 1 - n

    def is_sentinel(self, token_id):
        return self.pieces <= token_id < self.size

    def segments(self, text):
        """[(kind, value)]: ("text", segment) and ("sentinel", id), in text order, as
        transformers splits a text on its added tokens (see the module)."""
        parts = []  # alternating text, sentinel id, text, ...
        pos = 0
        for m in SENTINEL_RE.finditer(text):
            n = int(m.group(1))
            if n >= self.extra_ids:
                continue  # not a token of this tokenizer: ordinary text
            parts.append(text[pos:m.start()])
            parts.append(self.sentinel_id(n))
            pos = m.end()
        parts.append(text[pos:])
        out = []
        for i, part in enumerate(parts):
            if i % 2:
                out.append(("sentinel", part))
                continue
            if i > 0:
                part = part.lstrip()   # the sentinel before strips its right side
            if i < len(parts) - 1:
                part = part.rstrip()   # the sentinel after strips its left side
            if part:
                out.append(("text", part))
        return out

    def text_ids(self, text):
        ids = []
        for kind, value in self.segments(text):
            ids += [value] if kind == "sentinel" else self.sp.encode(value)
        return ids

    def encode(self, text, limit=None, truncate=False):
        """Source ids ending with </s>. `limit`: the largest number of ids (</s>
        included); longer input raises TokenizationError ("over_limit"), or with
        `truncate` keeps the first limit - 1 ids, as transformers truncates with
        max_length."""
        if limit is not None and limit < 1:
            raise TokenizationError("over_limit", "the limit must be at least 1 (for eos)")
        ids = self.text_ids(text)
        if limit is not None and len(ids) + 1 > limit:
            if not truncate:
                raise TokenizationError("over_limit",
                                        f"input of {len(ids) + 1} tokens exceeds the limit of {limit}")
            ids = ids[:limit - 1]
        return ids + [self.eos_id]

    def encode_target(self, text):
        """Target text -> ids ending with </s> (labels; forced prefixes drop the </s>)."""
        return self.text_ids(text) + [self.eos_id]

    def decode(self, ids):
        kept = [i for i in ids if 0 <= i < self.pieces and i not in self.special_ids]
        text = self.sp.decode(kept).strip()
        return clean_up_tokenization(text) if self.clean_up else text

    # ---------------------------------------------------------------- tokenizer.json

    def fast_tokenizer_json(self):
        """tokenizer.json as transformers' T5Converter writes it for this spiece.model:
        a Unigram model with every SentencePiece piece and score, then the sentinels
        <extra_id_{E-1}> ... <extra_id_0> (score 0); added tokens <pad>, </s>, <unk> and
        the sentinels with their ids; WhitespaceSplit + Metaspace pre-tokenizer, `$A </s>`
        post-processor, Metaspace decoder. The test models' spiece.model files have no
        precompiled normaliser, so the normaliser only collapses runs of spaces."""
        vocab = [[self.sp.id_to_piece(i), float(self.sp.get_score(i))] for i in range(self.pieces)]
        vocab += [[f"<extra_id_{n}>", 0.0] for n in range(self.extra_ids - 1, -1, -1)]

        def added(token_id, content):
            return {"id": token_id, "content": content, "single_word": False, "lstrip": False,
                    "rstrip": False, "normalized": False, "special": True}

        added_tokens = [added(i, self.sp.id_to_piece(i)) for i in sorted(self.special_ids)]
        added_tokens += [added(self.sentinel_id(n), f"<extra_id_{n}>")
                         for n in range(self.extra_ids - 1, -1, -1)]
        metaspace = {"type": "Metaspace", "replacement": "\u2581", "add_prefix_space": True}
        eos = self.sp.id_to_piece(self.eos_id)
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": added_tokens,
            "normalizer": {"type": "Sequence", "normalizers": [
                {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]},
            "pre_tokenizer": {"type": "Sequence",
                              "pretokenizers": [{"type": "WhitespaceSplit"}, metaspace]},
            "post_processor": {
                "type": "TemplateProcessing",
                "single": [{"Sequence": {"id": "A", "type_id": 0}},
                           {"SpecialToken": {"id": eos, "type_id": 0}}],
                "pair": [{"Sequence": {"id": "A", "type_id": 0}},
                         {"SpecialToken": {"id": eos, "type_id": 0}},
                         {"Sequence": {"id": "B", "type_id": 0}},
                         {"SpecialToken": {"id": eos, "type_id": 0}}],
                "special_tokens": {eos: {"id": eos, "ids": [self.eos_id], "tokens": [eos]}},
            },
            "decoder": metaspace,
            "model": {"type": "Unigram", "unk_id": self.unk_id, "vocab": vocab},
        }
