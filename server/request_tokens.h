#ifndef TSERVE_SERVER_REQUEST_TOKENS_H_
#define TSERVE_SERVER_REQUEST_TOKENS_H_

// Between a request's texts and languages and the model's tokens: the source texts
// tokenized with the request's languages, the target-language token that NLLB-200,
// M2M100 and mBART-50 force as the first generated token, and which generated tokens a
// response shows (docs/semantics.md, "Tokenisation").

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/decode/decoding_options.h"
#include "engine/model/config.h"
#include "engine/text/tokenizer.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "tserve/v1/tserve.pb.h"

namespace tserve::server {

// Tokenizes every text with the model's source vocabulary and the request's languages
// ("" for none), cut or refused at `max_input_tokens`. An unknown language is the
// request's fault and is refused before any text is read; a refusal that depends on the
// text names the text; the message of an over-long text says how to get it accepted.
// Every refusal is INVALID_ARGUMENT in the tokenizer's words (they list the valid codes).
absl::Status EncodeTexts(const engine::Tokenizer& tokenizer, size_t max_input_tokens,
                         const google::protobuf::RepeatedPtrField<std::string>& texts,
                         tserve::v1::Truncation truncation,
                         const engine::RequestLanguages& languages,
                         engine::LanguageRequirement requirement,
                         std::vector<engine::EncodedText>* out);

// The token the decoder must produce first for `target_language`: its language token
// where the tokenizer forces the target language (NLLB-200, M2M100, mBART-50, as
// transformers' forced_bos_token_id), else none. None for "" too: EncodeTexts refuses a
// translation without a target language on those models, with the tokenizer's message.
// INVALID_ARGUMENT naming the known codes for an unknown one.
absl::StatusOr<std::optional<int32_t>> ForcedLanguageToken(const engine::Tokenizer& tokenizer,
                                                           std::string_view target_language);

// The first token a decoding forces: the request's, else the model's
// forced_bos_token_id.
std::optional<int32_t> ForcedFirstToken(const engine::DecodingOptions& decoding,
                                        const engine::ModelConfig& config);

// How many leading ids of `ids` a response leaves out of its token lists and streamed
// tokens: 1 when they start with the forced first token (a control token such as NLLB's
// target language, which the detokenized text drops too), else 0.
size_t HiddenTokens(const std::vector<int32_t>& ids, std::optional<int32_t> forced_first);

}  // namespace tserve::server

#endif  // TSERVE_SERVER_REQUEST_TOKENS_H_
