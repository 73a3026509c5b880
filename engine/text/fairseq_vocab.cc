#include "engine/text/fairseq_vocab.h"

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/text/sentencepiece.h"

namespace tserve::engine {
namespace {

// transformers' FAIRSEQ_LANGUAGE_CODES (tokenization_nllb.py, tokenization_m2m_100.py):
// the codes, in id order, of a directory whose files do not list them.
constexpr std::string_view kNllbCodes[] = {
    "ace_Arab", "ace_Latn", "acm_Arab", "acq_Arab", "aeb_Arab", "afr_Latn", "ajp_Arab", "aka_Latn",
    "amh_Ethi", "apc_Arab", "arb_Arab", "ars_Arab", "ary_Arab", "arz_Arab", "asm_Beng", "ast_Latn",
    "awa_Deva", "ayr_Latn", "azb_Arab", "azj_Latn", "bak_Cyrl", "bam_Latn", "ban_Latn", "bel_Cyrl",
    "bem_Latn", "ben_Beng", "bho_Deva", "bjn_Arab", "bjn_Latn", "bod_Tibt", "bos_Latn", "bug_Latn",
    "bul_Cyrl", "cat_Latn", "ceb_Latn", "ces_Latn", "cjk_Latn", "ckb_Arab", "crh_Latn", "cym_Latn",
    "dan_Latn", "deu_Latn", "dik_Latn", "dyu_Latn", "dzo_Tibt", "ell_Grek", "eng_Latn", "epo_Latn",
    "est_Latn", "eus_Latn", "ewe_Latn", "fao_Latn", "pes_Arab", "fij_Latn", "fin_Latn", "fon_Latn",
    "fra_Latn", "fur_Latn", "fuv_Latn", "gla_Latn", "gle_Latn", "glg_Latn", "grn_Latn", "guj_Gujr",
    "hat_Latn", "hau_Latn", "heb_Hebr", "hin_Deva", "hne_Deva", "hrv_Latn", "hun_Latn", "hye_Armn",
    "ibo_Latn", "ilo_Latn", "ind_Latn", "isl_Latn", "ita_Latn", "jav_Latn", "jpn_Jpan", "kab_Latn",
    "kac_Latn", "kam_Latn", "kan_Knda", "kas_Arab", "kas_Deva", "kat_Geor", "knc_Arab", "knc_Latn",
    "kaz_Cyrl", "kbp_Latn", "kea_Latn", "khm_Khmr", "kik_Latn", "kin_Latn", "kir_Cyrl", "kmb_Latn",
    "kon_Latn", "kor_Hang", "kmr_Latn", "lao_Laoo", "lvs_Latn", "lij_Latn", "lim_Latn", "lin_Latn",
    "lit_Latn", "lmo_Latn", "ltg_Latn", "ltz_Latn", "lua_Latn", "lug_Latn", "luo_Latn", "lus_Latn",
    "mag_Deva", "mai_Deva", "mal_Mlym", "mar_Deva", "min_Latn", "mkd_Cyrl", "plt_Latn", "mlt_Latn",
    "mni_Beng", "khk_Cyrl", "mos_Latn", "mri_Latn", "zsm_Latn", "mya_Mymr", "nld_Latn", "nno_Latn",
    "nob_Latn", "npi_Deva", "nso_Latn", "nus_Latn", "nya_Latn", "oci_Latn", "gaz_Latn", "ory_Orya",
    "pag_Latn", "pan_Guru", "pap_Latn", "pol_Latn", "por_Latn", "prs_Arab", "pbt_Arab", "quy_Latn",
    "ron_Latn", "run_Latn", "rus_Cyrl", "sag_Latn", "san_Deva", "sat_Beng", "scn_Latn", "shn_Mymr",
    "sin_Sinh", "slk_Latn", "slv_Latn", "smo_Latn", "sna_Latn", "snd_Arab", "som_Latn", "sot_Latn",
    "spa_Latn", "als_Latn", "srd_Latn", "srp_Cyrl", "ssw_Latn", "sun_Latn", "swe_Latn", "swh_Latn",
    "szl_Latn", "tam_Taml", "tat_Cyrl", "tel_Telu", "tgk_Cyrl", "tgl_Latn", "tha_Thai", "tir_Ethi",
    "taq_Latn", "taq_Tfng", "tpi_Latn", "tsn_Latn", "tso_Latn", "tuk_Latn", "tum_Latn", "tur_Latn",
    "twi_Latn", "tzm_Tfng", "uig_Arab", "ukr_Cyrl", "umb_Latn", "urd_Arab", "uzn_Latn", "vec_Latn",
    "vie_Latn", "war_Latn", "wol_Latn", "xho_Latn", "ydd_Hebr", "yor_Latn", "yue_Hant", "zho_Hans",
    "zho_Hant", "zul_Latn"};
constexpr std::string_view kM2m100Codes[] = {
    "af", "am", "ar", "ast", "az", "ba", "be", "bg", "bn", "br",  "bs", "ca", "ceb", "cs", "cy",
    "da", "de", "el", "en",  "es", "et", "fa", "ff", "fi", "fr",  "fy", "ga", "gd",  "gl", "gu",
    "ha", "he", "hi", "hr",  "ht", "hu", "hy", "id", "ig", "ilo", "is", "it", "ja",  "jv", "ka",
    "kk", "km", "kn", "ko",  "lb", "lg", "ln", "lo", "lt", "lv",  "mg", "mk", "ml",  "mn", "mr",
    "ms", "my", "ne", "nl",  "no", "ns", "oc", "or", "pa", "pl",  "ps", "pt", "ro",  "ru", "sd",
    "si", "sk", "sl", "so",  "sq", "sr", "ss", "su", "sv", "sw",  "ta", "th", "tl",  "tn", "tr",
    "uk", "ur", "uz", "vi",  "wo", "xh", "yi", "yo", "zh", "zu"};
constexpr std::string_view kWmt21Codes[] = {"en", "ha", "is", "ja", "cs", "ru", "zh", "de"};

constexpr std::string_view kNllbSpecials[] = {"<s>", "<pad>", "</s>", "<unk>"};
constexpr std::string_view kMask = "<mask>";

// "__en__" -> "en"; nullopt for a token of another form.
std::optional<std::string> M2m100Code(std::string_view token) {
  if (token.size() < 5 || !token.starts_with("__") || !token.ends_with("__")) return std::nullopt;
  return std::string(token.substr(2, token.size() - 4));
}

std::string M2m100Token(std::string_view code) { return "__" + std::string(code) + "__"; }

// The ids of added_tokens_decoder must be those the rules give.
absl::Status CheckAddedTokens(const HfTokenizerConfig& files, const Vocabulary& vocab) {
  for (const auto& [id, content] : files.added_tokens) {
    const std::optional<int32_t> ours = vocab.Find(content);
    if (ours != id) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "tokenizer_config.json's added_tokens_decoder gives '%s' the id %d, but %s",
          absl::Utf8SafeCEscape(content), id,
          ours ? absl::StrCat("the tokenizer's rules give it ", *ours)
               : std::string("the tokenizer has no such token")));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<FairseqVocab> NllbVocab(const spm::Processor& spm, const HfTokenizerConfig& files,
                                       bool builtin_codes) {
  // SentencePiece's <unk> <s> </s> sit where fairseq's <pad> </s> <unk> go; any other
  // piece there would be shadowed by fairseq's special tokens.
  const std::vector<spm::Piece>& spm_pieces = spm.model().pieces;
  constexpr std::string_view kSpmSpecials[] = {"<unk>", "<s>", "</s>"};
  for (size_t i = 0; i < std::size(kSpmSpecials); ++i) {
    if (spm_pieces.size() <= i || spm_pieces[i].piece != kSpmSpecials[i]) {
      return absl::InvalidArgumentError(
          absl::StrFormat("sentencepiece.bpe.model: piece %d must be '%s' for fairseq's ids (NLLB)",
                          i, kSpmSpecials[i]));
    }
  }
  std::vector<std::string> pieces(std::begin(kNllbSpecials), std::end(kNllbSpecials));
  pieces.reserve(spm_pieces.size() + 1 + std::size(kNllbCodes) + 1);
  for (size_t i = std::size(kSpmSpecials); i < spm_pieces.size(); ++i) {
    pieces.push_back(spm_pieces[i].piece);
  }
  std::vector<std::string> codes;
  if (files.additional_special_tokens) {
    codes = *files.additional_special_tokens;
  } else if (builtin_codes) {
    codes.assign(std::begin(kNllbCodes), std::end(kNllbCodes));
  } else {
    return absl::InvalidArgumentError(
        "neither special_tokens_map.json nor tokenizer_config.json lists the language codes "
        "(additional_special_tokens)");
  }
  FairseqVocab out;
  for (int32_t id = 0; id < static_cast<int32_t>(std::size(kNllbSpecials)); ++id) {
    out.special_ids.push_back(id);
  }
  for (std::string& code : codes) {
    const auto id = static_cast<int32_t>(pieces.size());
    out.languages.emplace_back(code, id);
    out.special_ids.push_back(id);
    pieces.push_back(std::move(code));
  }
  out.special_ids.push_back(static_cast<int32_t>(pieces.size()));
  pieces.emplace_back(kMask);
  absl::StatusOr<Vocabulary> vocab = Vocabulary::FromPieces(std::move(pieces));
  if (!vocab.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sentencepiece.bpe.model with the language codes: ", vocab.status().message()));
  }
  out.vocab = *std::move(vocab);
  if (absl::Status s = CheckAddedTokens(files, out.vocab); !s.ok()) return s;
  return out;
}

absl::StatusOr<FairseqVocab> M2m100Vocab(const Vocabulary& vocab_json,
                                         const HfTokenizerConfig& files) {
  std::span<const std::string_view> builtin(kM2m100Codes);
  if (files.language_codes == "wmt21") {
    builtin = kWmt21Codes;
  } else if (!files.language_codes.empty() && files.language_codes != "m2m100") {
    return absl::InvalidArgumentError(
        absl::StrFormat("tokenizer_config.json: language_codes '%s' is not one of m2m100, wmt21",
                        absl::Utf8SafeCEscape(files.language_codes)));
  }
  // The files' language tokens where they list them (their order gives the ids), else
  // transformers' list for language_codes.
  std::vector<std::string> codes;
  if (files.additional_special_tokens) {
    for (const std::string& token : *files.additional_special_tokens) {
      if (std::optional<std::string> code = M2m100Code(token)) codes.push_back(*std::move(code));
    }
  }
  if (codes.empty()) codes.assign(builtin.begin(), builtin.end());
  std::vector<std::string> pieces;
  pieces.reserve(static_cast<size_t>(vocab_json.size()) + codes.size());
  for (int32_t id = 0; id < vocab_json.size(); ++id) pieces.push_back(vocab_json.Piece(id));
  FairseqVocab out;
  for (std::string_view special : kNllbSpecials) {
    if (std::optional<int32_t> id = vocab_json.Find(special)) out.special_ids.push_back(*id);
  }
  for (const std::string& code : codes) {
    const auto id = static_cast<int32_t>(pieces.size());
    out.languages.emplace_back(code, id);
    out.special_ids.push_back(id);
    pieces.push_back(M2m100Token(code));
  }
  absl::StatusOr<Vocabulary> vocab = Vocabulary::FromPieces(std::move(pieces));
  if (!vocab.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("vocab.json with the language tokens: ", vocab.status().message()));
  }
  out.vocab = *std::move(vocab);
  if (absl::Status s = CheckAddedTokens(files, out.vocab); !s.ok()) return s;
  return out;
}

absl::Status CheckTokenizerJson(const std::map<std::string, int32_t>& ids, const Vocabulary& vocab,
                                const std::string& path) {
  for (const auto& [piece, id] : ids) {
    const std::optional<int32_t> ours = vocab.Find(piece);
    if (ours != id) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s gives '%s' the id %d, but the SentencePiece model and the tokenizer's rules give "
          "%s: the files do not describe the same tokenizer",
          path, absl::Utf8SafeCEscape(piece), id,
          ours ? absl::StrCat("it ", *ours) : std::string("no such token")));
    }
  }
  if (ids.size() != static_cast<size_t>(vocab.size())) {
    for (int32_t id = 0; id < vocab.size(); ++id) {
      if (!ids.contains(vocab.Piece(id))) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "%s lacks '%s' (id %d) of the SentencePiece model and the tokenizer's rules: the files "
            "do not describe the same tokenizer",
            path, absl::Utf8SafeCEscape(vocab.Piece(id)), id));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace tserve::engine
