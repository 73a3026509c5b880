// The T5 half of Tokenizer (T5, Flan-T5, mT5, sentence-T5: spiece.model), as
// transformers' T5Tokenizer (models/t5/tokenization_t5.py) numbers and splits text:
//
// Ids: SentencePiece's own ids of spiece.model (<pad> 0, </s> 1, <unk> 2 in the real
// files), then `extra_ids` sentinels (tokenizer_config.json, default 100) at the top:
// <extra_id_N> is sp_pieces + extra_ids - 1 - N, so <extra_id_0> is the last id (T5's
// added_tokens_decoder[len(sp_model) - 1 + extra_ids - i] = "<extra_id_{i}>"). The
// config's vocab_size may be larger (32128 rows for 32100 tokens); rows past the
// sentinels have no piece.
//
// Source text (PreTrainedTokenizer.tokenize with T5's AddedTokens): every <extra_id_N>
// with N < extra_ids, leftmost first, is cut out as its sentinel token; the sentinels
// are AddedToken(lstrip=True, rstrip=True), so the text on either side loses its white
// space there (Python's str.rstrip() on the left, str.lstrip() on the right), and parts
// left empty vanish. What remains is encoded part by part:
// - legacy (tokenizer_config.json's `legacy`, which transformers takes as true when it
//   is absent or null): each part is SentencePiece-encoded on its own, so each gets
//   SentencePiece's dummy "▁" prefix;
// - legacy false: SentencePiece runs with add_dummy_prefix off
//   (T5Tokenizer.get_spm_processor); the text has every "▁" made a space and, with
//   add_prefix_space (default true), one "▁" put in front; a part that starts with "▁" or
//   " " is encoded as "<unk>" + part with the pieces of "<unk>" dropped again, which keeps
//   its leading space, any other part as it is; a lone leading "▁" piece before a sentinel
//   is dropped (T5Tokenizer.tokenize and _tokenize).
// The source ends with </s> (build_inputs_with_special_tokens). transformers would also
// cut "</s>", "<pad>" and "<unk>" out of the text as special tokens; tserve keeps them as
// text, as it does for every family, so that no request text can end its source early
// or insert padding. The sentinels are the one exception: they are part of T5's input
// language (span corruption: "The <extra_id_0> walks in <extra_id_1> park").
//
// Target side: EncodeTarget (forced target prefixes) is the SentencePiece encoding of
// the whole text, whatever `legacy` says. Decoding drops <pad>, </s>, <unk> and the
// sentinels (skip_special_tokens) and strips the SentencePiece text
// (convert_tokens_to_string ends in strip(), which also makes the dummy prefix of either
// rule irrelevant).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/model/config.h"
#include "engine/text/hf_decode.h"
#include "engine/text/hf_tokenizer_files.h"
#include "engine/text/normalizer.h"
#include "engine/text/sentencepiece.h"
#include "engine/text/tokenizer.h"
#include "nlohmann/json.hpp"

namespace tserve::engine {

struct Tokenizer::T5Rules {
  int32_t sentinels = 0;       // extra_ids
  int32_t first_sentinel = 0;  // the id of <extra_id_{sentinels - 1}>: the SentencePiece size
  bool legacy = true;
  bool add_prefix_space = true;
  // legacy false: spiece.model with add_dummy_prefix off, and how many pieces the text
  // "<unk>" makes with it.
  std::shared_ptr<const spm::Processor> unprefixed;
  size_t unk_pieces = 0;

  int32_t SentinelId(int64_t n) const {
    return first_sentinel + sentinels - 1 - static_cast<int32_t>(n);
  }
};

namespace {

using Json = nlohmann::json;

constexpr std::string_view kSentinelPrefix = "<extra_id_";
constexpr int64_t kDefaultExtraIds = 100;  // T5Tokenizer's extra_ids default
// A serialized ModelProto field 3 (normalizer_spec) holding field 3 (add_dummy_prefix)
// = false. Protobuf merges a repeated message field into the first, so appending this to
// a model file turns the dummy prefix off, as T5Tokenizer's
// model.normalizer_spec.MergeFrom(NormalizerSpec(add_dummy_prefix=False)) does.
constexpr std::string_view kNoDummyPrefix("\x1a\x02\x18\x00", 4);

std::string SentinelToken(int64_t n) { return absl::StrCat(std::string(kSentinelPrefix), n, ">"); }

// The N of "<extra_id_N>" starting at text[at] when N < count, written as Python's
// str(int) writes it (no sign, no leading zeros), with the end of the token; nullopt
// otherwise. Only such spellings are T5's added tokens.
std::optional<std::pair<int64_t, size_t>> SentinelAt(std::string_view text, size_t at,
                                                     int64_t count) {
  size_t end = at + kSentinelPrefix.size();
  int64_t n = 0;
  const size_t digits_begin = end;
  while (end < text.size() && text[end] >= '0' && text[end] <= '9' && end - digits_begin < 10) {
    n = n * 10 + (text[end] - '0');
    ++end;
  }
  const size_t digits = end - digits_begin;
  if (digits == 0 || (digits > 1 && text[digits_begin] == '0') || end >= text.size() ||
      text[end] != '>' || n >= count) {
    return std::nullopt;
  }
  return std::pair(n, end + 1);
}

// One part of a source text: text to segment, or a sentinel.
struct Part {
  std::string text;
  std::optional<int64_t> sentinel;  // N of <extra_id_N>
};

std::vector<Part> SplitAtSentinels(std::string_view text, int64_t count) {
  std::vector<Part> parts;
  size_t kept_from = 0;
  for (size_t at = 0; (at = text.find(kSentinelPrefix, at)) != std::string_view::npos;) {
    const std::optional<std::pair<int64_t, size_t>> sentinel = SentinelAt(text, at, count);
    if (!sentinel) {
      ++at;
      continue;
    }
    if (at > kept_from) {
      parts.push_back(Part{std::string(text.substr(kept_from, at - kept_from)), {}});
    }
    parts.push_back(Part{"", sentinel->first});
    kept_from = at = sentinel->second;
  }
  if (kept_from < text.size()) parts.push_back(Part{std::string(text.substr(kept_from)), {}});
  std::vector<Part> kept;
  for (size_t i = 0; i < parts.size(); ++i) {
    Part& part = parts[i];
    if (!part.sentinel) {
      if (i > 0 && parts[i - 1].sentinel)
        part.text = std::string(LstripPythonWhitespace(part.text));
      if (i + 1 < parts.size() && parts[i + 1].sentinel)
        part.text = std::string(RstripPythonWhitespace(part.text));
      if (part.text.empty()) continue;
    }
    kept.push_back(std::move(part));
  }
  return kept;
}

// The init arguments of T5Tokenizer that tokenizer_config.json may set and that change
// ids; a missing file or field keeps transformers' default.
struct T5Arguments {
  int64_t extra_ids = kDefaultExtraIds;
  bool legacy = true;  // `legacy` absent or null: transformers' default, the legacy rules
  bool add_prefix_space = true;
};

absl::StatusOr<T5Arguments> ReadT5Arguments(const std::string& model_dir) {
  const std::string path = model_dir + "/tokenizer_config.json";
  T5Arguments args;
  absl::StatusOr<std::string> text = internal::ReadFile(path);
  if (!text.ok()) {
    if (absl::IsNotFound(text.status())) return args;
    return text.status();
  }
  // LoadHfTokenizerConfig has already parsed and checked the file as a JSON object.
  const Json root = Json::parse(text->begin(), text->end(), nullptr, /*allow_exceptions=*/false);
  if (!root.is_object()) return args;
  const auto wrong = [&path](std::string_view field, std::string_view want) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", std::string(field), " must be ", std::string(want)));
  };
  if (auto it = root.find("extra_ids"); it != root.end() && !it->is_null()) {
    if (!it->is_number_unsigned() || it->get<uint64_t>() > 1'000'000) {
      return wrong("extra_ids", "an integer from 0 to 1000000");
    }
    args.extra_ids = static_cast<int64_t>(it->get<uint64_t>());
  }
  if (auto it = root.find("legacy"); it != root.end() && !it->is_null()) {
    if (!it->is_boolean()) return wrong("legacy", "true, false or null");
    args.legacy = it->get<bool>();
  }
  if (auto it = root.find("add_prefix_space"); it != root.end() && !it->is_null()) {
    if (!it->is_boolean()) return wrong("add_prefix_space", "true or false");
    args.add_prefix_space = it->get<bool>();
  }
  return args;
}

// additional_special_tokens, where the files list them, must be exactly the sentinels:
// T5Tokenizer refuses a list whose "<extra_id_" entries do not number extra_ids, and any
// other token would be an added token that tserve does not split out.
absl::Status CheckListedSentinels(const HfTokenizerConfig& files, int64_t extra_ids) {
  if (!files.additional_special_tokens || files.additional_special_tokens->empty()) {
    return absl::OkStatus();  // T5Tokenizer then adds the extra_ids sentinels itself
  }
  std::vector<bool> seen(static_cast<size_t>(extra_ids), false);
  for (const std::string& token : *files.additional_special_tokens) {
    if (token.find(kSentinelPrefix) == std::string::npos) {
      return absl::UnimplementedError(absl::StrFormat(
          "additional_special_tokens lists '%s': tserve's T5 tokenizer knows only the "
          "sentinels <extra_id_N> as added tokens",
          absl::Utf8SafeCEscape(token)));
    }
    const std::optional<std::pair<int64_t, size_t>> n = SentinelAt(token, 0, extra_ids);
    if (!token.starts_with(kSentinelPrefix) || !n || n->second != token.size() ||
        seen[static_cast<size_t>(n->first)]) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "additional_special_tokens lists '%s', which is not one of <extra_id_0> ... "
          "<extra_id_%d> (extra_ids is %d), or lists it twice",
          absl::Utf8SafeCEscape(token), extra_ids - 1, extra_ids));
    }
    seen[static_cast<size_t>(n->first)] = true;
  }
  for (size_t n = 0; n < seen.size(); ++n) {
    if (!seen[n]) {
      return absl::InvalidArgumentError(
          absl::StrFormat("additional_special_tokens does not list %s although extra_ids is %d",
                          SentinelToken(static_cast<int64_t>(n)), extra_ids));
    }
  }
  return absl::OkStatus();
}

absl::Status Mismatch(const std::string& path, std::string_view what, const std::string& piece,
                      int64_t id, const Vocabulary& vocab) {
  const std::optional<int32_t> ours = vocab.Find(piece);
  return absl::InvalidArgumentError(absl::StrFormat(
      "%s gives '%s' the id %d%s, but spiece.model and T5's sentinel rules give %s: the "
      "files do not describe the same tokenizer",
      path, absl::Utf8SafeCEscape(piece), id, what,
      ours ? absl::StrCat("it ", *ours) : std::string("no such token")));
}

// tokenizer.json must give every token `vocab` has, and only those, the same id: its
// Unigram model's vocab list ([piece, score] in id order: T5Converter's SentencePiece
// pieces, then <extra_id_{n-1}> ... <extra_id_0>) and its added_tokens (<pad> </s> <unk>
// and the sentinels). Files converted before T5Converter listed the sentinels in the
// vocab have them in added_tokens only, which is as good.
absl::Status CheckT5TokenizerJson(const std::string& path, const Vocabulary& vocab) {
  absl::StatusOr<std::string> text = internal::ReadFile(path);
  if (!text.ok()) return text.status();
  const Json root = Json::parse(text->begin(), text->end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ",
                                                   root.is_discarded()
                                                       ? internal::DescribeJsonSyntaxError(*text)
                                                       : std::string("must be a JSON object")));
  }
  std::vector<bool> given(static_cast<size_t>(vocab.size()), false);
  // `piece` with `id` must be the vocabulary's.
  const auto check = [&](const std::string& piece, uint64_t id, std::string_view where) {
    if (id >= given.size() || vocab.Piece(static_cast<int32_t>(id)) != piece) {
      return Mismatch(path, where, piece, static_cast<int64_t>(id), vocab);
    }
    given[id] = true;
    return absl::OkStatus();
  };
  const Json* pieces = nullptr;
  if (auto model = root.find("model"); model != root.end() && model->is_object()) {
    if (auto it = model->find("vocab"); it != model->end()) pieces = &*it;
  }
  if (pieces == nullptr || !pieces->is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": model.vocab must be a list of [piece, score], as in T5's Unigram tokenizer.json"));
  }
  for (size_t id = 0; id < pieces->size(); ++id) {
    const Json& entry = (*pieces)[id];
    if (!entry.is_array() || entry.empty() || !entry[0].is_string()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s: model.vocab entry %d is not [piece, score]", path, id));
    }
    if (absl::Status s = check(entry[0].get<std::string>(), id, " in model.vocab"); !s.ok()) {
      return s;
    }
  }
  if (auto added = root.find("added_tokens"); added != root.end() && !added->is_null()) {
    if (!added->is_array()) {
      return absl::InvalidArgumentError(path + ": added_tokens must be a list");
    }
    for (const Json& token : *added) {
      if (!token.is_object() || !token.contains("content") || !token["content"].is_string() ||
          !token.contains("id") || !token["id"].is_number_unsigned()) {
        return absl::InvalidArgumentError(path +
                                          ": each of added_tokens must have an id and a content");
      }
      if (absl::Status s = check(token["content"].get<std::string>(), token["id"].get<uint64_t>(),
                                 " in added_tokens");
          !s.ok()) {
        return s;
      }
    }
  }
  if (auto missing = std::find(given.begin(), given.end(), false); missing != given.end()) {
    const auto id = static_cast<int32_t>(missing - given.begin());
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s lacks '%s' (id %d) of spiece.model and T5's sentinel rules: the files do not "
        "describe the same tokenizer",
        path, absl::Utf8SafeCEscape(vocab.Piece(id)), id));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Tokenizer::InitT5(const std::string& model_dir, const ModelConfig& config) {
  family_ = TokenizerFamily::kT5;
  absl::StatusOr<HfTokenizerConfig> files = LoadHfTokenizerConfig(model_dir);
  if (!files.ok()) return files.status();
  absl::StatusOr<T5Arguments> args = ReadT5Arguments(model_dir);
  if (!args.ok()) return args.status();
  if (absl::Status s = CheckListedSentinels(*files, args->extra_ids); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat(model_dir, ": ", s.message()));
  }

  const std::string spm_path = model_dir + "/spiece.model";
  absl::StatusOr<std::string> bytes = internal::ReadFile(spm_path);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<std::unique_ptr<spm::Processor>> processor = spm::Processor::FromBytes(*bytes);
  if (!processor.ok()) {
    return absl::Status(
        processor.status().code(),
        absl::StrCat("SentencePiece model ", spm_path, ": ", processor.status().message()));
  }
  source_spm_ = std::shared_ptr<const spm::Processor>(*std::move(processor));
  target_spm_ = source_spm_;

  auto rules = std::make_shared<T5Rules>();
  rules->sentinels = static_cast<int32_t>(args->extra_ids);
  rules->first_sentinel = source_spm_->size();
  rules->legacy = args->legacy;
  rules->add_prefix_space = args->add_prefix_space;
  if (!rules->legacy) {
    processor = spm::Processor::FromBytes(*bytes + std::string(kNoDummyPrefix));
    if (!processor.ok()) {
      return absl::Status(processor.status().code(), absl::StrCat("SentencePiece model ", spm_path,
                                                                  " without its dummy prefix: ",
                                                                  processor.status().message()));
    }
    rules->unprefixed = *std::move(processor);
    rules->unk_pieces = rules->unprefixed->Encode("<unk>").size();
  }

  std::vector<std::string> pieces;
  pieces.reserve(static_cast<size_t>(source_spm_->size() + rules->sentinels));
  for (const spm::Piece& piece : source_spm_->model().pieces) pieces.push_back(piece.piece);
  for (int64_t n = rules->sentinels - 1; n >= 0; --n) pieces.push_back(SentinelToken(n));
  absl::StatusOr<Vocabulary> vocab = Vocabulary::FromPieces(std::move(pieces));
  if (!vocab.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(spm_path, " with the sentinels: ", vocab.status().message()));
  }
  const std::string vocab_name = spm_path + " with the sentinels";
  if (absl::Status s = CheckModelVocabulary(*vocab, vocab_name,
                                            std::min(config.vocab_size, config.target_vocab_size()),
                                            "vocab_size", config.eos_token_id);
      !s.ok()) {
    return s;
  }
  // T5 starts decoding with <pad> (decoder_start_token_id) and pads with it.
  if (const int32_t pad = *vocab->Find("<pad>"); pad != config.pad_token_id) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s maps '<pad>' to %d but config.json has pad_token_id %d", vocab_name,
                        pad, config.pad_token_id));
  }
  for (const auto& [id, content] : files->added_tokens) {
    if (vocab->Find(content) != id) {
      return Mismatch(model_dir + "/tokenizer_config.json", " in added_tokens_decoder", content, id,
                      *vocab);
    }
  }
  if (const std::string json_path = model_dir + "/tokenizer.json";
      std::filesystem::exists(json_path)) {
    if (absl::Status s = CheckT5TokenizerJson(json_path, *vocab); !s.ok()) return s;
  }

  source_vocab_ = *std::move(vocab);
  target_languages_ = LanguageCodes({}, "target");
  skipped_in_decode_.assign(static_cast<size_t>(source_vocab_.size()), false);
  for (std::string_view special : {"<pad>", "</s>", "<unk>"}) {
    skipped_in_decode_[static_cast<size_t>(*source_vocab_.Find(special))] = true;
  }
  for (int32_t n = 0; n < rules->sentinels; ++n) {
    skipped_in_decode_[static_cast<size_t>(rules->SentinelId(n))] = true;
  }
  clean_up_spaces_ = files->clean_up_tokenization_spaces;
  t5_ = std::move(rules);
  return absl::OkStatus();
}

absl::StatusOr<SourceTokens> Tokenizer::TokenizeT5Source(std::string_view text,
                                                         const RequestLanguages& languages) const {
  // Both are empty lists: a named language is refused with the message saying so.
  if (absl::Status s = source_languages_.Check(languages.source); !s.ok()) return s;
  if (absl::Status s = target_languages_.Check(languages.target); !s.ok()) return s;
  SourceTokens out;
  const T5Rules& rules = *t5_;
  if (rules.legacy) {
    for (const Part& part : SplitAtSentinels(text, rules.sentinels)) {
      if (part.sentinel) {
        out.text_ids.push_back(rules.SentinelId(*part.sentinel));
      } else {
        const std::vector<int32_t> ids =
            PiecesToIds(source_spm_->Encode(part.text), source_vocab_, source_unk_);
        out.text_ids.insert(out.text_ids.end(), ids.begin(), ids.end());
      }
    }
    return out;
  }
  if (text.empty()) return out;
  std::string prepared = ReplaceAll(text, spm::kSpaceSymbol, " ");
  if (rules.add_prefix_space) prepared.insert(0, spm::kSpaceSymbol);
  const std::vector<Part> parts = SplitAtSentinels(prepared, rules.sentinels);
  for (size_t i = 0; i < parts.size(); ++i) {
    const Part& part = parts[i];
    if (part.sentinel) {
      out.text_ids.push_back(rules.SentinelId(*part.sentinel));
      continue;
    }
    std::vector<std::string> pieces;
    if (part.text.starts_with(spm::kSpaceSymbol) || part.text.starts_with(' ')) {
      pieces = rules.unprefixed->Encode(absl::StrCat("<unk>", part.text));
      if (pieces.size() >= rules.unk_pieces) {
        pieces.erase(pieces.begin(), pieces.begin() + static_cast<ptrdiff_t>(rules.unk_pieces));
      }
    } else {
      pieces = rules.unprefixed->Encode(part.text);
    }
    // The "▁" that add_prefix_space put in front of a text that starts with a sentinel.
    if (i == 0 && pieces.size() == 1 && pieces[0] == spm::kSpaceSymbol && parts.size() > 1 &&
        parts[1].sentinel) {
      continue;
    }
    const std::vector<int32_t> ids = PiecesToIds(pieces, source_vocab_, source_unk_);
    out.text_ids.insert(out.text_ids.end(), ids.begin(), ids.end());
  }
  return out;
}

}  // namespace tserve::engine
