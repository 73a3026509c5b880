#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "engine/decode/decoding_options.h"
#include "engine/decode/random.h"
#include "engine/ops/best_token.h"

namespace tserve::engine {

// The token ids a search needs to know about, and the model's generation rules
// (docs/semantics.md, "Decoding").
struct SearchVocab {
  int32_t eos = 0;
  int32_t pad = 0;
  int32_t decoder_start = 0;
  int64_t size = 0;
  // Tokens never generated (bad_words_ids of one token; pad is always banned).
  std::vector<int32_t> banned;
  // Longer bad_words_ids: the last token is banned right after the others.
  std::vector<std::vector<int32_t>> banned_sequences;
  // forced_eos_token_id: the step that reaches max_length produces eos, with
  // log-probability 0.
  bool forced_eos = false;
  // renormalize_logits: normalise after masking (else before).
  bool renormalize = false;
  // forced_bos_token_id: the first generated token when a request names none.
  std::optional<int32_t> forced_first;
};

// A token that hypothesis 0 gained in the last step and will keep (streaming).
struct StreamedToken {
  int32_t id;
  float score;
  int index;  // position in the output
};

// What a step gives a search for its rows, [num_rows, V]: log-probabilities
// (masked, then log-softmaxed) for a search that reads whole rows of them
// (sampling), or, for the others (NeedsLogProbs() false: greedy and beam
// search), the masked logits with each row's BestToken, whose normaliser
// turns any entry into its log-probability.
struct StepScores {
  const float* values;
  const BestToken* best;  // null when `values` are log-probabilities
  int64_t width;

  const float* row(int r) const { return values + r * width; }
  float LogProb(int r, int32_t token) const {
    const float v = row(r)[token];
    return best == nullptr ? v : best[r].LogProb(v);
  }
};

// The per-sentence decoding logic of one mode (docs/semantics.md). A search
// owns a few decoder rows; the generator runs the model over the rows of all
// live searches at once and gives each search its slice of the result.
class Search {
 public:
  Search(const DecodingOptions& options, const SearchVocab& vocab)
      : options_(options),
        vocab_(vocab),
        forced_first_(options.forced_first_token ? options.forced_first_token
                                                 : vocab.forced_first) {}
  virtual ~Search() = default;

  // Rows to run at the next step.
  virtual int num_rows() const = 0;
  // The token row `row` feeds to the next step.
  virtual int32_t input_token(int row) const = 0;

  // Tokens generated so far (the same for every row).
  int generated() const { return generated_; }

  // Sets to -inf the logits that the options forbid at this step: pad and the
  // banned tokens always, a banned sequence's last token after the rest of it,
  // eos before min_length (or always, with ignore_eos). logits: [num_rows, V].
  void MaskLogits(float* logits) const;

  // Whether Advance reads whole rows of log-probabilities (sampling) or the
  // masked logits with each row's BestToken (greedy takes the best token,
  // beam search scores its candidates through the normaliser).
  virtual bool NeedsLogProbs() const { return true; }

  // Consumes the step's scores for this search's rows. Fills `parents`: for
  // each row of the next step, the row of this step whose past it continues.
  // Returns true when the sentence is done.
  virtual bool Advance(const StepScores& scores, std::vector<int>* parents) = 0;

  // The final hypotheses; valid once Advance returned true.
  virtual GenerationResult TakeResult() = 0;

  // Greedy and sampling with one hypothesis: the token the last step added.
  virtual std::optional<StreamedToken> LastToken() const { return std::nullopt; }

 protected:
  // The forced token of the current step: the forced first token at step 0, then
  // the target prefix.
  std::optional<int32_t> ForcedToken() const;
  // Whether this step produces the forced first token (log-probability 0).
  bool ForcedFirstStep() const { return generated_ == 0 && forced_first_.has_value(); }
  // Whether this step must produce eos (forced_eos at the last step).
  bool ForcedEosStep() const;
  // Whether the tokens row `row` has fed so far (the start token first) end
  // with `tokens`.
  virtual bool RowEndsWith(int row, const std::vector<int32_t>& tokens,
                           size_t count) const = 0;

  DecodingOptions options_;
  SearchVocab vocab_;
  std::optional<int32_t> forced_first_;
  int generated_ = 0;
};

std::unique_ptr<Search> MakeSearch(const DecodingOptions& options, const SearchVocab& vocab);

}  // namespace tserve::engine
