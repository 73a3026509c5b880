#include "teacher_forcing.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace tserve::testing {

int CountTeacherForcedAgreement(const engine::TranslationModel& model,
                                const std::vector<int32_t>& source,
                                const std::vector<int32_t>& next_tokens, int uncounted) {
  const auto& decoder = model.marian().decoder();
  const auto vocab = model.search_vocab();
  engine::EncoderWorkspace encoder_ws;
  engine::DecoderWorkspace decoder_ws;
  auto memories = model.EncodeForDecoding({source}, encoder_ws, decoder_ws);
  auto cache = decoder.NewCache(static_cast<int64_t>(next_tokens.size()));
  int32_t input = vocab.decoder_start;
  engine::Tensor logits;
  int agree = 0;
  std::vector<int32_t> fed = {input};
  for (size_t k = 0; k < next_tokens.size(); ++k) {
    const int32_t next = next_tokens[k];
    engine::DecoderRow row{input, cache.get(), memories[0].get()};
    decoder.Step({row}, decoder_ws, logits);
    // The pad token and the model's banned tokens are never predicted
    // (docs/semantics.md, "Decoding").
    std::vector<float> l(logits.data(), logits.data() + vocab.size);
    const float kBanned = -std::numeric_limits<float>::infinity();
    l[vocab.pad] = kBanned;
    for (int32_t token : vocab.banned) l[token] = kBanned;
    for (const auto& sequence : vocab.banned_sequences) {
      if (sequence.size() - 1 <= fed.size() &&
          std::equal(sequence.begin(), sequence.end() - 1, fed.end() - (sequence.size() - 1))) {
        l[sequence.back()] = kBanned;
      }
    }
    const int32_t best = static_cast<int32_t>(std::max_element(l.begin(), l.end()) - l.begin());
    if (static_cast<int>(k) >= uncounted) agree += best == next;
    input = next;
    fed.push_back(next);
  }
  return agree;
}

double Cosine(const float* a, const float* b, int64_t n) {
  double dot = 0, na = 0, nb = 0;
  for (int64_t i = 0; i < n; ++i) dot += a[i] * b[i], na += a[i] * a[i], nb += b[i] * b[i];
  return dot / std::sqrt(na * nb);
}

}  // namespace tserve::testing
