"""Source encoding and target decoding of a MarianMT directory (docs/semantics.md)."""

import json
import os
import re

import sentencepiece as spm

from .marian import MarianConfig

# transformers' MarianTokenizer.language_code_re: a match at the start of a source text
# is its target-language token; every match is removed before SentencePiece.
LANGUAGE_CODE_RE = re.compile(">>.+<<")


class TokenizationError(ValueError):
    """A text tserve refuses with INVALID_ARGUMENT. `kind`: unknown_language,
    conflicting_languages, language_required or over_limit."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


def split_language_codes(text):
    """(leading code or None, text without any >>...<< span), as MarianTokenizer's
    remove_language_code splits a text; the code is what lies between >> and <<."""
    match = LANGUAGE_CODE_RE.match(text)
    code = match.group(0)[2:-2] if match else None
    return code, LANGUAGE_CODE_RE.sub("", text)


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
        self.language_ids = {p[2:-2]: i for p, i in self.vocab.items()
                             if LANGUAGE_CODE_RE.fullmatch(p)}

    def target_languages(self):
        """The codes of vocab.json's >>code<< tokens, sorted."""
        return sorted(self.language_ids)

    def _language_id(self, code, where):
        if code in self.language_ids:
            return self.language_ids[code]
        known = ", ".join(self.target_languages()) or "none"
        raise TokenizationError("unknown_language",
                                f"unknown target language {code!r}{where}; known: {known}")

    def language_token(self, text, target_language=None, required=True):
        """The id of the target-language token a source starts with, or None. Raises
        TokenizationError (a ValueError) where tserve answers INVALID_ARGUMENT: an
        unknown code (in the text or `target_language`), two different ones, or none
        for a model with several target languages when `required`."""
        code, _ = split_language_codes(text)
        requested = self._language_id(target_language, "") if target_language else None
        leading = self._language_id(code, " at the start of the text") if code is not None else None
        if requested is not None and leading is not None and requested != leading:
            raise TokenizationError(
                "conflicting_languages",
                f"target_language {target_language!r} differs from the text's >>{code}<<")
        if requested is not None:
            return requested
        if leading is not None:
            return leading
        if required and len(self.language_ids) >= 2:
            raise TokenizationError("language_required",
                                    "this model translates into several languages: name one")
        return None

    def source_pieces(self, text):
        """source.spm pieces of the text without its >>...<< spans."""
        return self.source_spm.encode(split_language_codes(text)[1], out_type=str)

    def encode(self, text, limit=None, truncate=False, target_language=None, required=True):
        """Source text -> ids ending with eos, the target-language token first when the
        text or `target_language` names one (see language_token). `limit`: the largest
        number of ids (eos and language token included); longer input raises
        TokenizationError, or when `truncate` keeps the first `limit - 1` ids before eos
        (the language token is the first; a limit leaving it no room raises)."""
        if limit is not None and limit < 1:
            raise TokenizationError("over_limit", "the limit must be at least 1 (for eos)")
        language = self.language_token(text, target_language, required)
        ids = [] if language is None else [language]
        ids += [self.vocab.get(p, self.unk_id) for p in self.source_pieces(text)]
        if limit is not None and len(ids) + 1 > limit:
            if not truncate:
                raise TokenizationError(
                    "over_limit", f"input of {len(ids) + 1} tokens exceeds the limit of {limit}")
            if language is not None and limit < 2:
                raise TokenizationError(
                    "over_limit", f"a limit of {limit} leaves no room for the language token")
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
