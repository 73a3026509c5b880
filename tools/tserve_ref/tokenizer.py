"""Source encoding and target decoding of a MarianMT, NLLB-200 or M2M100 directory
(docs/semantics.md)."""

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
    conflicting_languages, language_required, source_required or over_limit."""

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


# --- NLLB-200 and M2M100 (tokenizer.h, fairseq_vocab.h) -------------------------------

# transformers' FAIRSEQ_LANGUAGE_CODES: the language codes, in id order, of a directory
# whose tokenizer files do not list them (tokenization_nllb.py, tokenization_m2m_100.py).
NLLB_LANGUAGE_CODES = [
    "ace_Arab", "ace_Latn", "acm_Arab", "acq_Arab", "aeb_Arab", "afr_Latn", "ajp_Arab",
    "aka_Latn", "amh_Ethi", "apc_Arab", "arb_Arab", "ars_Arab", "ary_Arab", "arz_Arab",
    "asm_Beng", "ast_Latn", "awa_Deva", "ayr_Latn", "azb_Arab", "azj_Latn", "bak_Cyrl",
    "bam_Latn", "ban_Latn", "bel_Cyrl", "bem_Latn", "ben_Beng", "bho_Deva", "bjn_Arab",
    "bjn_Latn", "bod_Tibt", "bos_Latn", "bug_Latn", "bul_Cyrl", "cat_Latn", "ceb_Latn",
    "ces_Latn", "cjk_Latn", "ckb_Arab", "crh_Latn", "cym_Latn", "dan_Latn", "deu_Latn",
    "dik_Latn", "dyu_Latn", "dzo_Tibt", "ell_Grek", "eng_Latn", "epo_Latn", "est_Latn",
    "eus_Latn", "ewe_Latn", "fao_Latn", "pes_Arab", "fij_Latn", "fin_Latn", "fon_Latn",
    "fra_Latn", "fur_Latn", "fuv_Latn", "gla_Latn", "gle_Latn", "glg_Latn", "grn_Latn",
    "guj_Gujr", "hat_Latn", "hau_Latn", "heb_Hebr", "hin_Deva", "hne_Deva", "hrv_Latn",
    "hun_Latn", "hye_Armn", "ibo_Latn", "ilo_Latn", "ind_Latn", "isl_Latn", "ita_Latn",
    "jav_Latn", "jpn_Jpan", "kab_Latn", "kac_Latn", "kam_Latn", "kan_Knda", "kas_Arab",
    "kas_Deva", "kat_Geor", "knc_Arab", "knc_Latn", "kaz_Cyrl", "kbp_Latn", "kea_Latn",
    "khm_Khmr", "kik_Latn", "kin_Latn", "kir_Cyrl", "kmb_Latn", "kon_Latn", "kor_Hang",
    "kmr_Latn", "lao_Laoo", "lvs_Latn", "lij_Latn", "lim_Latn", "lin_Latn", "lit_Latn",
    "lmo_Latn", "ltg_Latn", "ltz_Latn", "lua_Latn", "lug_Latn", "luo_Latn", "lus_Latn",
    "mag_Deva", "mai_Deva", "mal_Mlym", "mar_Deva", "min_Latn", "mkd_Cyrl", "plt_Latn",
    "mlt_Latn", "mni_Beng", "khk_Cyrl", "mos_Latn", "mri_Latn", "zsm_Latn", "mya_Mymr",
    "nld_Latn", "nno_Latn", "nob_Latn", "npi_Deva", "nso_Latn", "nus_Latn", "nya_Latn",
    "oci_Latn", "gaz_Latn", "ory_Orya", "pag_Latn", "pan_Guru", "pap_Latn", "pol_Latn",
    "por_Latn", "prs_Arab", "pbt_Arab", "quy_Latn", "ron_Latn", "run_Latn", "rus_Cyrl",
    "sag_Latn", "san_Deva", "sat_Beng", "scn_Latn", "shn_Mymr", "sin_Sinh", "slk_Latn",
    "slv_Latn", "smo_Latn", "sna_Latn", "snd_Arab", "som_Latn", "sot_Latn", "spa_Latn",
    "als_Latn", "srd_Latn", "srp_Cyrl", "ssw_Latn", "sun_Latn", "swe_Latn", "swh_Latn",
    "szl_Latn", "tam_Taml", "tat_Cyrl", "tel_Telu", "tgk_Cyrl", "tgl_Latn", "tha_Thai",
    "tir_Ethi", "taq_Latn", "taq_Tfng", "tpi_Latn", "tsn_Latn", "tso_Latn", "tuk_Latn",
    "tum_Latn", "tur_Latn", "twi_Latn", "tzm_Tfng", "uig_Arab", "ukr_Cyrl", "umb_Latn",
    "urd_Arab", "uzn_Latn", "vec_Latn", "vie_Latn", "war_Latn", "wol_Latn", "xho_Latn",
    "ydd_Hebr", "yor_Latn", "yue_Hant", "zho_Hans", "zho_Hant", "zul_Latn"]
M2M100_LANGUAGE_CODES = {
    "m2m100": [
    "af", "am", "ar", "ast", "az", "ba", "be", "bg", "bn", "br", "bs", "ca", "ceb", "cs", "cy",
    "da", "de", "el", "en", "es", "et", "fa", "ff", "fi", "fr", "fy", "ga", "gd", "gl", "gu",
    "ha", "he", "hi", "hr", "ht", "hu", "hy", "id", "ig", "ilo", "is", "it", "ja", "jv", "ka",
    "kk", "km", "kn", "ko", "lb", "lg", "ln", "lo", "lt", "lv", "mg", "mk", "ml", "mn", "mr",
    "ms", "my", "ne", "nl", "no", "ns", "oc", "or", "pa", "pl", "ps", "pt", "ro", "ru", "sd",
    "si", "sk", "sl", "so", "sq", "sr", "ss", "su", "sv", "sw", "ta", "th", "tl", "tn", "tr",
    "uk", "ur", "uz", "vi", "wo", "xh", "yi", "yo", "zh", "zu"],
    "wmt21": ['en', 'ha', 'is', 'ja', 'cs', 'ru', 'zh', 'de'],
}


def read_tokenizer_files(model_dir):
    """special_tokens_map.json then tokenizer_config.json merged, null fields ignored (as
    transformers merges them: tokenizer_config.json wins)."""
    merged = {}
    for name in ("special_tokens_map.json", "tokenizer_config.json"):
        path = os.path.join(model_dir, name)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                merged.update({k: v for k, v in json.load(f).items() if v is not None})
    return merged


def _content(token):
    return token["content"] if isinstance(token, dict) else token


def clean_up_tokenization(text):
    """transformers' PreTrainedTokenizerBase.clean_up_tokenization."""
    for old, new in ((" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"),
                     (" n't", "n't"), (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"),
                     (" 're", "'re")):
        text = text.replace(old, new)
    return text


class FairseqTokenizer:
    """What NllbTokenizer and M2M100Tokenizer share: a BPE sentencepiece.bpe.model for both
    sides, one language token per code, source = [source token] pieces </s> (NLLB's
    legacy_behaviour: pieces </s> [source token]) and the target token forced as the
    first generated one. Text is all text: language codes and special tokens typed in it
    are encoded as ordinary text (tserve's rule; transformers would split them out)."""

    eos_id = 2
    pad_id = 1
    unk_id = 3
    legacy = False

    def __init__(self, model_dir):
        self.files = read_tokenizer_files(model_dir)
        self.sp = spm.SentencePieceProcessor(
            model_file=os.path.join(model_dir, "sentencepiece.bpe.model"))
        self.clean_up = bool(self.files.get("clean_up_tokenization_spaces", False))

    def languages(self):
        return sorted(self.language_ids)

    def _language(self, code, role):
        if code not in self.language_ids:
            raise TokenizationError("unknown_language", f"unknown {role} language {code!r}")
        return self.language_ids[code]

    def token_id(self, piece):
        raise NotImplementedError

    def piece(self, token_id):
        raise NotImplementedError

    def source_pieces(self, text):
        return self.sp.encode(text, out_type=str)

    def encode(self, text, source_language, target_language=None, required=True, limit=None,
               truncate=False):
        """Source ids (see the class), or TokenizationError of kind source_required,
        unknown_language, language_required or over_limit. `limit` counts the language
        token and </s>; `truncate` cuts the text's ids to limit - 2, as transformers
        truncates with max_length."""
        if not source_language:
            raise TokenizationError("source_required", "source_language is required")
        source = self._language(source_language, "source")
        if target_language:
            self._language(target_language, "target")
        elif required:
            raise TokenizationError("language_required", "set target_language")
        if limit is not None and limit < 1:
            raise TokenizationError("over_limit", "the limit must be at least 1 (for eos)")
        ids = [self.token_id(p) for p in self.source_pieces(text)]
        if limit is not None and len(ids) + 2 > limit:
            if not truncate or limit < 2:
                raise TokenizationError("over_limit", f"{len(ids) + 2} tokens, limit {limit}")
            ids = ids[:limit - 2]
        if self.legacy:
            return ids + [self.eos_id, source]
        return [source] + ids + [self.eos_id]

    def encode_target(self, text):
        """Target text -> ids without language token or </s> (forced target prefixes)."""
        return [self.token_id(p) for p in self.source_pieces(text)]

    def target_language_id(self, code):
        """The forced first generated token (transformers' forced_bos_token_id)."""
        return self._language(code, "target")

    def decode(self, ids):
        """decode(ids, skip_special_tokens=True): special ids and ids outside the vocabulary
        dropped, pieces joined by the family's rule, clean-up when the files ask for it."""
        pieces = [self.piece(i) for i in ids if 0 <= i < self.size and i not in self.special_ids]
        text = self.join(pieces)
        return clean_up_tokenization(text) if self.clean_up else text


class NllbTokenizer(FairseqTokenizer):
    """transformers' NllbTokenizer: <s>=0 <pad>=1 </s>=2 <unk>=3, SentencePiece id + 1
    (fairseq_offset) for every other piece (a piece SentencePiece maps to its <unk>, id
    0, is <unk>), then the language codes (additional_special_tokens, else
    FAIRSEQ_LANGUAGE_CODES), then <mask>."""

    builtin_codes = NLLB_LANGUAGE_CODES

    def __init__(self, model_dir, legacy=None):
        super().__init__(model_dir)
        self.legacy = bool(self.files.get("legacy_behaviour", False)) if legacy is None else legacy
        codes = [_content(t) for t in self.files.get("additional_special_tokens",
                                                       self.builtin_codes)]
        base = len(self.sp) + 1
        self.language_ids = {code: base + i for i, code in enumerate(codes)}
        self.mask_id = base + len(codes)
        self.size = self.mask_id + 1
        self.special_ids = {0, 1, 2, 3, self.mask_id} | set(self.language_ids.values())
        self.added = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, "<mask>": self.mask_id}
        self.added.update(self.language_ids)

    def token_id(self, piece):
        if piece in self.added:
            return self.added[piece]
        spm_id = self.sp.piece_to_id(piece)
        return spm_id + 1 if spm_id else self.unk_id

    def piece(self, token_id):
        return self.sp.id_to_piece(token_id - 1)

    def join(self, pieces):
        return "".join(pieces).replace("\u2581", " ").strip()

    def vocabulary(self):
        """piece -> id of every token (what a tokenizer.json holds)."""
        vocab = {self.sp.id_to_piece(i): i + 1 for i in range(3, len(self.sp))}
        vocab.update(self.added)
        return vocab


class M2M100Tokenizer(FairseqTokenizer):
    """transformers' M2M100Tokenizer: vocab.json maps pieces to ids (unknown: <unk>), the
    language tokens __code__ follow its last id: those additional_special_tokens lists,
    else FAIRSEQ_LANGUAGE_CODES[language_codes]."""

    def __init__(self, model_dir):
        super().__init__(model_dir)
        with open(os.path.join(model_dir, "vocab.json"), encoding="utf-8") as f:
            self.encoder = json.load(f)
        self.decoder = {i: p for p, i in self.encoder.items()}
        listed = [_content(t) for t in self.files.get("additional_special_tokens", [])]
        codes = [t[2:-2] for t in listed if len(t) >= 5 and t.startswith("__") and t.endswith("__")]
        codes = codes or M2M100_LANGUAGE_CODES[self.files.get("language_codes", "m2m100")]
        self.language_ids = {code: len(self.encoder) + i for i, code in enumerate(codes)}
        self.size = len(self.encoder) + len(codes)
        self.special_ids = {self.encoder[t] for t in ("<s>", "<pad>", "</s>", "<unk>")}
        self.special_ids |= set(self.language_ids.values())
        self.eos_id = self.encoder["</s>"]
        self.pad_id = self.encoder["<pad>"]
        self.unk_id = self.encoder["<unk>"]

    def token_id(self, piece):
        return self.encoder.get(piece, self.unk_id)

    def piece(self, token_id):
        return self.decoder[token_id]

    def join(self, pieces):
        return self.sp.decode_pieces(pieces)


class Mbart50Tokenizer(NllbTokenizer):
    """transformers' MBart50Tokenizer: NLLB's ids (the files list the codes) and source
    order; decoding is SentencePiece's, stripped (convert_tokens_to_string)."""

    builtin_codes = None

    def join(self, pieces):
        return self.sp.decode_pieces(pieces).strip()


def load_fairseq_tokenizer(model_dir, legacy=None):
    """The family's tokenizer, chosen by the files as tserve chooses: vocab.json beside
    sentencepiece.bpe.model is M2M100's; MBart50Tokenizer as tokenizer_class is mBART-50."""
    if os.path.exists(os.path.join(model_dir, "vocab.json")):
        return M2M100Tokenizer(model_dir)
    if read_tokenizer_files(model_dir).get("tokenizer_class", "").startswith("MBart50Tokenizer"):
        return Mbart50Tokenizer(model_dir)
    return NllbTokenizer(model_dir, legacy)


def fast_tokenizer_json(tok):
    """The ids of `tok` in tokenizer.json's form (the fields tserve reads: model.vocab and
    added_tokens; no merges, as tserve segments with the SentencePiece model)."""
    vocab = tok.vocabulary()
    added = [{"id": i, "content": p, "single_word": False, "lstrip": p == "<mask>",
              "rstrip": False, "normalized": p == "<mask>", "special": True}
             for p, i in sorted(vocab.items(), key=lambda kv: kv[1])
             if i < 4 or i >= len(tok.sp) + 1]
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
            "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>",
                      "continuing_subword_prefix": None, "end_of_word_suffix": None,
                      "fuse_unk": True, "vocab": vocab, "merges": []}}
