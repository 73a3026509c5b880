#include "teacher_forcing.h"

#include <cmath>

namespace tserve::testing {

int CountTeacherForcedAgreement(const engine::TranslationModel& model,
                                const std::vector<int32_t>& source,
                                const std::vector<int32_t>& next_tokens) {
  const auto& decoder = model.marian().decoder();
  const auto vocab = model.search_vocab();
  engine::EncoderWorkspace encoder_ws;
  engine::DecoderWorkspace decoder_ws;
  auto memories = model.EncodeForDecoding({source}, encoder_ws, decoder_ws);
  auto cache = decoder.NewCache(static_cast<int64_t>(next_tokens.size()));
  int32_t input = vocab.decoder_start;
  engine::Tensor logits;
  int agree = 0;
  for (int32_t next : next_tokens) {
    engine::DecoderRow row{input, cache.get(), memories[0].get()};
    decoder.Step({row}, decoder_ws, logits);
    const float* l = logits.data();
    // The pad token is never predicted (docs/semantics.md).
    int32_t best = vocab.pad == 0 ? 1 : 0;
    for (int64_t v = 0; v < vocab.size; ++v) {
      if (v != vocab.pad && l[v] > l[best]) best = static_cast<int32_t>(v);
    }
    agree += best == next;
    input = next;
  }
  return agree;
}

double Cosine(const float* a, const float* b, int64_t n) {
  double dot = 0, na = 0, nb = 0;
  for (int64_t i = 0; i < n; ++i) dot += a[i] * b[i], na += a[i] * a[i], nb += b[i] * b[i];
  return dot / std::sqrt(na * nb);
}

}  // namespace tserve::testing
