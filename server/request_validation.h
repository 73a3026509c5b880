#ifndef TSERVE_SERVER_REQUEST_VALIDATION_H_
#define TSERVE_SERVER_REQUEST_VALIDATION_H_

// Checks of incoming requests and their translation into engine options.
// Pure functions: no gRPC, no model, so they are unit-tested directly.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/decode/decoding_options.h"
#include "engine/model/config.h"
#include "server/options.h"
#include "tserve/v1/tserve.pb.h"

namespace tserve::server {

// True when `text` is well-formed UTF-8: no stray continuation bytes, no
// truncated sequences, no overlong encodings, no surrogates, nothing above
// U+10FFFF.
bool IsValidUtf8(absl::string_view text);

// The texts of a Translate or Encode request: at least one, at most
// limits.max_texts_per_request, each non-empty and valid UTF-8. The message
// names the offending text by its index.
absl::Status ValidateTexts(const google::protobuf::RepeatedPtrField<std::string>& texts,
                           const RequestLimits& limits);
// The single text of a TranslateStream request.
absl::Status ValidateText(absl::string_view text);

// Defaults applied to a request's unset options for one model.
struct DecodingDefaults {
  int beam_size = 1;   // generation config num_beams, else 1, capped by --max_beam_size
  int max_length = 1;  // min(--max_decoding_length, model max_length - 1, positions)
  float length_penalty = 1.f;
  // Generation config min_length - 1 (it counts the start token), at most max_length.
  int min_length = 0;
  // Longest accepted input: min(--max_input_tokens, model positions).
  int max_input_tokens = 1;
};

DecodingDefaults ComputeDefaults(const engine::ModelConfig& config, const RequestLimits& limits);

// Whether a request's truncation asks to cut over-long inputs.
bool TruncationRequested(tserve::v1::Truncation truncation);
// INVALID_ARGUMENT for a value the enum does not have (proto3 keeps unknown
// enum numbers), as for an unknown pooling.
absl::Status ValidateTruncation(int truncation);

// Turns the request's options into engine options, applying the defaults and
// checking every range against the server limits and the model.
// `encode_target` tokenizes the target prefix (without </s>); `random_seed`
// is used when the request leaves the seed unset; `forced_first_token` is the
// first token to generate (the target-language token of NLLB-200 and M2M100;
// none: the model's forced_bos_token_id, if any), which the target prefix
// follows. INVALID_ARGUMENT with a message naming the option and what to change.
absl::StatusOr<engine::DecodingOptions> ToEngineOptions(
    const tserve::v1::DecodingOptions& options, const DecodingDefaults& defaults,
    const RequestLimits& limits, const engine::ModelConfig& config,
    absl::FunctionRef<std::vector<int32_t>(absl::string_view)> encode_target, uint64_t random_seed,
    std::optional<int32_t> forced_first_token = std::nullopt);

}  // namespace tserve::server

#endif  // TSERVE_SERVER_REQUEST_VALIDATION_H_
