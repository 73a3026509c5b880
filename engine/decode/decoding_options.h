#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "engine/model/config.h"

namespace tserve::engine {

// How one sentence is decoded. Semantics: docs/semantics.md, "Decoding".
struct DecodingOptions {
  int beam_size = 1;          // 1: greedy (or sampling)
  int num_hypotheses = 1;     // n-best (beam) or independent samples
  int max_length = 256;       // generated tokens, eos included
  int min_length = 0;         // eos is not allowed before this many tokens
  float length_penalty = 1.f;
  float sampling_temperature = 0.f;  // > 0 with beam_size 1: sampling
  int sampling_topk = 0;             // 0: the whole vocabulary
  float sampling_topp = 1.f;
  uint64_t seed = 0;
  // The first generated token, forced with log-probability 0 as transformers'
  // forced_bos_token_id does (NLLB/M2M100's target language); the target prefix then
  // follows it. Unset: the model's forced_bos_token_id, if any.
  std::optional<int32_t> forced_first_token;
  std::vector<int32_t> target_prefix;  // forced tokens (after forced_first_token)
  // Never end on eos: always generate max_length tokens (benchmarks use this
  // so every engine produces the same number of tokens).
  bool ignore_eos = false;

  bool sampling() const { return sampling_temperature > 0.f && beam_size <= 1; }

  // INVALID_ARGUMENT with a message naming the option and its allowed range.
  absl::Status Validate(const ModelConfig& config) const;
};

// One decoded hypothesis: tokens without the final eos; `token_scores` has
// one more entry than `ids` when the hypothesis ended with eos.
struct Hypothesis {
  std::vector<int32_t> ids;
  float score = 0.f;
  std::vector<float> token_scores;
  bool ended_with_eos = false;
};

struct GenerationResult {
  std::vector<Hypothesis> hypotheses;
};

}  // namespace tserve::engine
