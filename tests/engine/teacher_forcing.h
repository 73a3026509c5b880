#pragma once

#include <cstdint>
#include <vector>

#include "engine/engine.h"

namespace tserve::testing {

// Feeds a sentence's expected output to the decoder one token at a time,
// starting from the decoder start token (teacher forcing), and counts the
// steps whose highest logit (the pad token, never predicted, left out) is the
// token fed next. `next_tokens` ends with EOS where the expected output ended;
// its first `uncounted` tokens (forced ones) are fed but not counted.
int CountTeacherForcedAgreement(const engine::TranslationModel& model,
                                const std::vector<int32_t>& source,
                                const std::vector<int32_t>& next_tokens, int uncounted = 0);

// Cosine similarity of two vectors of n floats, in double.
double Cosine(const float* a, const float* b, int64_t n);

}  // namespace tserve::testing
