#include "engine/decode/decoding_options.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"

namespace tserve::engine {

absl::Status DecodingOptions::Validate(const ModelConfig& config) const {
  auto invalid = [](auto&&... parts) {
    return absl::InvalidArgumentError(absl::StrCat(parts...));
  };
  if (beam_size < 1) return invalid("beam_size must be >= 1, got ", beam_size);
  if (num_hypotheses < 1) return invalid("num_hypotheses must be >= 1, got ", num_hypotheses);
  if (!sampling() && num_hypotheses > beam_size) {
    return invalid("num_hypotheses (", num_hypotheses, ") must be <= beam_size (", beam_size,
                   ") unless sampling");
  }
  // Decoder positions run from 0 (the start token) to max_length - 1.
  const int64_t longest = config.max_position_embeddings;
  if (max_length < 1 || max_length > longest) {
    return invalid("max_length must be between 1 and ", longest, ", got ", max_length);
  }
  if (min_length < 0 || min_length > max_length) {
    return invalid("min_length must be between 0 and max_length (", max_length, "), got ",
                   min_length);
  }
  if (!(length_penalty >= 0.f && length_penalty <= 10.f)) {
    return invalid("length_penalty must be in [0, 10], got ", length_penalty);
  }
  if (!(sampling_temperature >= 0.f && sampling_temperature <= 100.f)) {
    return invalid("sampling_temperature must be in [0, 100], got ", sampling_temperature);
  }
  if (sampling_topk < 0) return invalid("sampling_topk must be >= 0, got ", sampling_topk);
  if (!(sampling_topp > 0.f && sampling_topp <= 1.f)) {
    return invalid("sampling_topp must be in (0, 1], got ", sampling_topp);
  }
  const std::optional<int64_t> forced_first =
      forced_first_token ? std::optional<int64_t>(*forced_first_token) : config.forced_bos_token_id;
  if (forced_first_token && (*forced_first_token < 0 ||
                             *forced_first_token >= config.target_vocab_size() ||
                             *forced_first_token == config.pad_token_id ||
                             *forced_first_token == config.eos_token_id)) {
    return invalid("forced_first_token ", *forced_first_token,
                   " must be a token of the target vocabulary other than pad and eos");
  }
  const size_t forced_count = target_prefix.size() + (forced_first ? 1 : 0);
  if (static_cast<int64_t>(forced_count) >= max_length) {
    return invalid("the target prefix has ", target_prefix.size(), " tokens",
                   forced_first ? " after the forced first token" : "",
                   "; it must be shorter than max_length (", max_length, ")",
                   forced_first ? " - 1" : "");
  }
  for (int32_t id : target_prefix) {
    if (id < 0 || id >= config.target_vocab_size()) {
      return invalid("target prefix token ", id, " is outside the target vocabulary");
    }
  }
  // A forced prefix token that the model's bad_words_ids ban would have probability
  // zero: the hypothesis could not be scored (and beam search would have no candidate).
  std::vector<int32_t> fed = {static_cast<int32_t>(config.decoder_start_token_id)};
  if (forced_first) fed.push_back(static_cast<int32_t>(*forced_first));
  for (int32_t id : target_prefix) {
    for (const std::vector<int32_t>& banned : config.bad_words_ids) {
      if (banned.back() != id || banned.size() > fed.size() + 1) continue;
      if (std::equal(banned.begin(), banned.end() - 1, fed.end() - (banned.size() - 1))) {
        return invalid("target prefix token ", id,
                       " is banned by the model's bad_words_ids; change the prefix");
      }
    }
    fed.push_back(id);
  }
  return absl::OkStatus();
}

}  // namespace tserve::engine
