"""Source encoding and target decoding of a MarianMT directory (docs/semantics.md)."""

import json
import os

import sentencepiece as spm

from .marian import MarianConfig


class MarianTokenizer:
    def __init__(self, model_dir):
        self.config = MarianConfig.from_file(os.path.join(model_dir, "config.json"))
        self.source_spm = spm.SentencePieceProcessor(model_file=os.path.join(model_dir, "source.spm"))
        self.target_spm = spm.SentencePieceProcessor(model_file=os.path.join(model_dir, "target.spm"))
        with open(os.path.join(model_dir, "vocab.json"), encoding="utf-8") as f:
            self.vocab = json.load(f)
        if self.config.separate_vocabs:
            with open(os.path.join(model_dir, "target_vocab.json"), encoding="utf-8") as f:
                self.target_vocab = json.load(f)
        else:
            self.target_vocab = self.vocab
        self.unk_id = self.vocab["<unk>"]
        self.target_unk_id = self.target_vocab["<unk>"]
        self.eos_id = self.config.eos_token_id
        self.pad_id = self.config.pad_token_id
        self.target_pieces = {i: p for p, i in self.target_vocab.items()}

    def source_pieces(self, text):
        return self.source_spm.encode(text, out_type=str)

    def encode(self, text, limit=None, truncate=False):
        """Source text -> ids ending with eos. `limit`: the largest number of ids
        (eos included); longer input raises ValueError, or is cut to `limit - 1`
        pieces before eos when `truncate`."""
        pieces = self.source_pieces(text)
        ids = [self.vocab.get(p, self.unk_id) for p in pieces]
        if limit is not None and len(ids) + 1 > limit:
            if not truncate:
                raise ValueError(f"input of {len(ids) + 1} tokens exceeds the limit of {limit}")
            ids = ids[:limit - 1]
        return ids + [self.eos_id]

    def encode_target(self, text):
        """Target text -> target ids ending with eos (training labels, prefixes)."""
        pieces = self.target_spm.encode(text, out_type=str)
        return [self.target_vocab.get(p, self.target_unk_id) for p in pieces] + [self.eos_id]

    def decode(self, ids):
        """Target ids -> text: eos, pad and unk dropped, pieces decoded with target.spm."""
        drop = {self.eos_id, self.pad_id, self.target_unk_id}
        pieces = [self.target_pieces[i] for i in ids if i not in drop]
        return self.target_spm.decode_pieces(pieces)
