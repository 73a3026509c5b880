// The NLLB-200 and M2M100 half of Tokenizer: loading their files and the source-language
// rules (tokenizer.h).
#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/text/fairseq_vocab.h"
#include "engine/text/hf_tokenizer_files.h"
#include "engine/text/sentencepiece.h"
#include "engine/text/tokenizer.h"

namespace tserve::engine {
namespace {

// The family the files make: vocab.json beside the SentencePiece model is M2M100's.
// tokenizer_class, where set, must agree; the classes of other families are refused.
absl::StatusOr<TokenizerFamily> FamilyOf(const std::string& model_dir,
                                         const HfTokenizerConfig& files) {
  const TokenizerFamily by_files = std::filesystem::exists(model_dir + "/vocab.json")
                                       ? TokenizerFamily::kM2m100
                                       : TokenizerFamily::kNllb;
  std::string_view name = files.tokenizer_class;
  if (name.ends_with("Fast")) name.remove_suffix(4);
  if (name.empty()) return by_files;
  const std::optional<TokenizerFamily> by_class =
      name == "NllbTokenizer"      ? std::optional(TokenizerFamily::kNllb)
      : name == "M2M100Tokenizer"  ? std::optional(TokenizerFamily::kM2m100)
      : name == "MBart50Tokenizer" ? std::optional(TokenizerFamily::kMbart50)
                                   : std::nullopt;
  if (!by_class) {
    return absl::UnimplementedError(absl::StrCat(
        model_dir, ": tokenizer_class '", files.tokenizer_class,
        "' is not supported; a sentencepiece.bpe.model directory must be NLLB-200's "
        "(NllbTokenizer), M2M100's (M2M100Tokenizer) or mBART-50's (MBart50Tokenizer)"));
  }
  // mBART-50 has NLLB's files.
  if (*by_class == TokenizerFamily::kMbart50 && by_files == TokenizerFamily::kNllb)
    return *by_class;
  if (*by_class != by_files) {
    return absl::InvalidArgumentError(
        absl::StrCat(model_dir, ": tokenizer_class is ", files.tokenizer_class,
                     " but the directory ", by_files == TokenizerFamily::kM2m100 ? "has" : "lacks",
                     " vocab.json, which M2M100Tokenizer needs and NllbTokenizer does not use"));
  }
  return by_files;
}

}  // namespace

absl::Status Tokenizer::InitFairseq(const std::string& model_dir, const ModelConfig& config) {
  absl::StatusOr<HfTokenizerConfig> files = LoadHfTokenizerConfig(model_dir);
  if (!files.ok()) return files.status();
  absl::StatusOr<TokenizerFamily> family = FamilyOf(model_dir, *files);
  if (!family.ok()) return family.status();
  family_ = *family;

  const std::string spm_path = model_dir + "/sentencepiece.bpe.model";
  if (!std::filesystem::exists(spm_path)) {
    return absl::UnimplementedError(
        absl::StrCat(model_dir,
                     " has tokenizer.json but no sentencepiece.bpe.model: tserve segments text "
                     "with the SentencePiece model, which Hugging Face publishes beside it"));
  }
  absl::StatusOr<std::unique_ptr<spm::Processor>> processor = spm::Processor::Load(spm_path);
  if (!processor.ok()) return processor.status();
  source_spm_ = std::shared_ptr<const spm::Processor>(*std::move(processor));
  target_spm_ = source_spm_;

  absl::StatusOr<FairseqVocab> vocab;
  std::string vocab_name = "sentencepiece.bpe.model";
  if (family_ != TokenizerFamily::kM2m100) {
    vocab = NllbVocab(*source_spm_, *files, /*builtin_codes=*/family_ == TokenizerFamily::kNllb);
  } else {
    vocab_name = "vocab.json";
    absl::StatusOr<Vocabulary> json = Vocabulary::Load(model_dir + "/" + vocab_name);
    if (!json.ok()) return json.status();
    vocab = M2m100Vocab(*json, *files);
  }
  if (!vocab.ok()) {
    return absl::Status(vocab.status().code(),
                        absl::StrCat(model_dir, ": ", vocab.status().message()));
  }
  if (absl::Status s = CheckModelVocabulary(
          vocab->vocab, absl::StrCat(model_dir, "/", vocab_name, " with the language tokens"),
          std::min(config.vocab_size, config.target_vocab_size()), "vocab_size",
          config.eos_token_id);
      !s.ok()) {
    return s;
  }
  if (const std::string json_path = model_dir + "/tokenizer.json";
      std::filesystem::exists(json_path)) {
    absl::StatusOr<std::map<std::string, int32_t>> ids = LoadTokenizerJsonIds(json_path);
    if (!ids.ok()) return ids.status();
    if (absl::Status s = CheckTokenizerJson(*ids, vocab->vocab, json_path); !s.ok()) return s;
  }

  source_vocab_ = std::move(vocab->vocab);
  target_languages_ = LanguageCodes(vocab->languages, "target");
  source_languages_ = LanguageCodes(std::move(vocab->languages), "source");
  skipped_in_decode_.assign(static_cast<size_t>(source_vocab_.size()), false);
  for (int32_t id : vocab->special_ids) skipped_in_decode_[static_cast<size_t>(id)] = true;
  legacy_language_order_ = family_ == TokenizerFamily::kNllb && files->legacy_behaviour;
  clean_up_spaces_ = files->clean_up_tokenization_spaces;
  return absl::OkStatus();
}

absl::StatusOr<SourceTokens> Tokenizer::TokenizeFairseqSource(
    std::string_view text, const RequestLanguages& languages,
    LanguageRequirement requirement) const {
  // The source language is part of the encoder's input, so even Encode needs it.
  if (languages.source.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("this model needs source_language, the language of the text; it knows: ",
                     absl::StrJoin(source_languages_.codes(), ", ")));
  }
  absl::StatusOr<int32_t> source = source_languages_.Find(languages.source, "");
  if (!source.ok()) return source.status();
  if (!languages.target.empty()) {
    if (absl::Status s = target_languages_.Check(languages.target); !s.ok()) return s;
  } else if (requirement == LanguageRequirement::kRequired) {
    return absl::InvalidArgumentError(
        absl::StrCat("this model translates into several languages: set target_language to one "
                     "of: ",
                     absl::StrJoin(target_languages_.codes(), ", ")));
  }
  SourceTokens out;
  out.language = *source;
  out.language_last = legacy_language_order_;
  out.text_ids = PiecesToIds(source_spm_->Encode(text), source_vocab_, source_unk_);
  return out;
}

}  // namespace tserve::engine
