#pragma once

#include <cstdint>

namespace tserve::engine {

// A row of logits reduced to what greedy search needs: its best token and
// the normaliser that turns any of its logits into a log-probability.
//
// Greedy decoding reads one entry per row, so normalising the whole row in
// place (a log-softmax over 58k entries, then an arg max pass) costs two
// passes and a write-back for nothing; this reads the row and writes nothing.
struct BestToken {
  int32_t id;       // index of the first largest logit
  float max_logit;  // its logit
  float log_sum;    // log Σ_v e^(logit_v − max_logit)

  // log softmax(row)[v] for logit_v, in the usual order of operations.
  float LogProb(float logit) const { return (logit - max_logit) - log_sum; }
};

// out[r] for each row of logits[rows, width] (-inf entries have probability
// zero; every row needs one finite entry). Each row's result depends on that
// row alone, whatever the row count or thread count; rows are spread over the
// OpenMP team.
void FindBestTokens(const float* logits, int64_t rows, int64_t width, BestToken* out);

}  // namespace tserve::engine
