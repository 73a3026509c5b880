#include "server/request_tokens.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/request_validation.h"

namespace tserve::server {

namespace {

// The name of text `i` of `count` in error messages.
std::string TextName(int i, int count) {
  return count == 1 ? std::string("the text") : absl::StrCat("texts[", i, "]");
}

}  // namespace

absl::Status EncodeTexts(const engine::Tokenizer& tokenizer, size_t max_input_tokens,
                         const google::protobuf::RepeatedPtrField<std::string>& texts,
                         tserve::v1::Truncation truncation,
                         const engine::RequestLanguages& languages,
                         engine::LanguageRequirement requirement,
                         std::vector<engine::EncodedText>* out) {
  // An unknown language is the request's fault, not any one text's.
  if (absl::Status s = tokenizer.CheckSourceLanguage(languages.source); !s.ok()) return s;
  if (absl::Status s = tokenizer.CheckTargetLanguage(languages.target); !s.ok()) return s;
  if (absl::Status s = ValidateTruncation(truncation); !s.ok()) return s;
  const bool truncate = TruncationRequested(truncation);
  out->reserve(static_cast<size_t>(texts.size()));
  for (int i = 0; i < texts.size(); ++i) {
    absl::StatusOr<engine::SourceTokens> tokens =
        tokenizer.TokenizeSource(texts[i], languages, requirement);
    if (!tokens.ok()) {
      if (tokens.status().code() != absl::StatusCode::kInvalidArgument) return tokens.status();
      return absl::InvalidArgumentError(
          absl::StrCat(TextName(i, texts.size()), ": ", tokens.status().message()));
    }
    absl::StatusOr<engine::EncodedText> encoded =
        tokenizer.LimitSource(*std::move(tokens), max_input_tokens, truncate);
    if (!encoded.ok()) {
      if (encoded.status().code() == absl::StatusCode::kInvalidArgument) {
        return absl::InvalidArgumentError(
            absl::StrCat(TextName(i, texts.size()), ": ", encoded.status().message(),
                         " (--max_input_tokens and the model's positions); shorten it, split it, "
                         "or set truncation=TRUNCATION_END"));
      }
      return encoded.status();
    }
    out->push_back(std::move(encoded).value());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<int32_t>> ForcedLanguageToken(const engine::Tokenizer& tokenizer,
                                                           std::string_view target_language) {
  if (!tokenizer.forces_target_language() || target_language.empty()) {
    return std::optional<int32_t>();
  }
  absl::StatusOr<int32_t> id = tokenizer.TargetLanguageTokenId(target_language);
  if (!id.ok()) return id.status();
  return std::optional<int32_t>(*id);
}

std::optional<int32_t> ForcedFirstToken(const engine::DecodingOptions& decoding,
                                        const engine::ModelConfig& config) {
  if (decoding.forced_first_token) return decoding.forced_first_token;
  if (config.forced_bos_token_id) return static_cast<int32_t>(*config.forced_bos_token_id);
  return std::nullopt;
}

size_t HiddenTokens(const std::vector<int32_t>& ids, std::optional<int32_t> forced_first) {
  return forced_first && !ids.empty() && ids.front() == *forced_first ? 1 : 0;
}

}  // namespace tserve::server
