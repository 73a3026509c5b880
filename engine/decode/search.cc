#include "engine/decode/search.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/ops/vector_math.h"

namespace tserve::engine {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Greedy search and sampling: every hypothesis is its own row and never
// interacts with the others; a row leaves as soon as it ends.
class IndependentSearch final : public Search {
 public:
  IndependentSearch(const DecodingOptions& options, const SearchVocab& vocab)
      : Search(options, vocab) {
    const int n = options.sampling() ? options.num_hypotheses : 1;
    for (int h = 0; h < n; ++h) {
      rows_.push_back(Row{Hypothesis{}, SplitMix64(options.seed + static_cast<uint64_t>(h)),
                          vocab.decoder_start});
      // Room for every token up front: steps then allocate nothing.
      rows_.back().hypothesis.ids.reserve(static_cast<size_t>(options.max_length));
      rows_.back().hypothesis.token_scores.reserve(static_cast<size_t>(options.max_length));
      live_.push_back(h);
    }
  }

  int num_rows() const override { return static_cast<int>(live_.size()); }
  int32_t input_token(int row) const override { return rows_[live_[row]].last_token; }

  bool NeedsLogProbs() const override { return options_.sampling(); }

  bool Advance(const StepScores& scores, std::vector<int>* parents) override {
    const std::optional<int32_t> forced = ForcedToken();
    parents->clear();
    last_.reset();
    // Rows that go on are compacted to the front of live_ in place.
    const int rows = num_rows();
    int kept = 0;
    for (int i = 0; i < rows; ++i) {
      Row& row = rows_[live_[i]];
      const bool forced_eos = ForcedEosStep();
      const int32_t token = forced_eos               ? vocab_.eos
                            : forced                 ? *forced
                            : options_.sampling()    ? Sample(scores.row(i), row.rng)
                            : scores.best != nullptr ? BestUnmasked(scores, i)
                                                     : Argmax(scores.row(i));
      const float score = forced_eos || ForcedFirstStep() ? 0.f : scores.LogProb(i, token);
      row.hypothesis.token_scores.push_back(score);
      row.hypothesis.score += score;
      if (token == vocab_.eos) {
        row.hypothesis.ended_with_eos = true;
        continue;
      }
      row.hypothesis.ids.push_back(token);
      row.last_token = token;
      if (live_[i] == 0) last_ = StreamedToken{token, score, generated_};
      if (generated_ + 1 < options_.max_length) {
        live_[kept++] = live_[i];
        parents->push_back(i);
      }
    }
    live_.resize(static_cast<size_t>(kept));
    ++generated_;
    return live_.empty();
  }

  GenerationResult TakeResult() override {
    GenerationResult result;
    for (Row& row : rows_) result.hypotheses.push_back(std::move(row.hypothesis));
    return result;
  }

  std::optional<StreamedToken> LastToken() const override { return last_; }

  bool RowEndsWith(int row, const std::vector<int32_t>& tokens, size_t count) const override {
    const std::vector<int32_t>& ids = rows_[live_[row]].hypothesis.ids;
    if (count > ids.size() + 1) return false;
    // Position i of the fed sequence: the start token, then the generated ids.
    const auto fed = [&](size_t i) { return i == 0 ? vocab_.decoder_start : ids[i - 1]; };
    const size_t length = ids.size() + 1;
    for (size_t k = 0; k < count; ++k) {
      if (fed(length - count + k) != tokens[k]) return false;
    }
    return true;
  }

 private:
  struct Row {
    Hypothesis hypothesis;
    SplitMix64 rng;
    int32_t last_token;
  };

  int32_t Argmax(const float* lp) const { return static_cast<int32_t>(ArgMax(lp, vocab_.size)); }

  // Row i's best token. Without renormalize_logits the best token is found
  // before the masks; where a mask removed it, it is the arg max of what is
  // left (the normaliser stays that of the raw row).
  int32_t BestUnmasked(const StepScores& scores, int i) const {
    const int32_t best = scores.best[i].id;
    return scores.row(i)[best] == kNegInf ? Argmax(scores.row(i)) : best;
  }

  int32_t Sample(const float* lp, SplitMix64& rng) {
    candidates_.clear();
    for (int64_t v = 0; v < vocab_.size; ++v) {
      if (lp[v] != kNegInf) candidates_.push_back(static_cast<int32_t>(v));
    }
    auto by_logp = [lp](int32_t a, int32_t b) {
      return lp[a] > lp[b] || (lp[a] == lp[b] && a < b);
    };
    const size_t k = options_.sampling_topk > 0
                         ? std::min<size_t>(candidates_.size(), options_.sampling_topk)
                         : candidates_.size();
    std::partial_sort(candidates_.begin(), candidates_.begin() + k, candidates_.end(), by_logp);
    candidates_.resize(k);

    const double max_logp = lp[candidates_[0]];
    probs_.resize(k);
    double total = 0;
    for (size_t i = 0; i < k; ++i) {
      probs_[i] = std::exp((static_cast<double>(lp[candidates_[i]]) - max_logp) /
                           static_cast<double>(options_.sampling_temperature));
      total += probs_[i];
    }
    // Top-p: the shortest prefix whose probability reaches p.
    size_t kept = k;
    if (options_.sampling_topp < 1.f) {
      double cumulative = 0;
      for (size_t i = 0; i < k; ++i) {
        cumulative += probs_[i] / total;
        if (cumulative >= static_cast<double>(options_.sampling_topp)) {
          kept = i + 1;
          break;
        }
      }
      total = 0;
      for (size_t i = 0; i < kept; ++i) total += probs_[i];
    }
    const double u = rng.NextUniform();
    double cumulative = 0;
    for (size_t i = 0; i < kept; ++i) {
      cumulative += probs_[i] / total;
      if (cumulative > u) return candidates_[i];
    }
    return candidates_[kept - 1];
  }

  std::vector<Row> rows_;
  std::vector<int> live_;  // indices into rows_ of the rows still decoding
  std::optional<StreamedToken> last_;
  std::vector<int32_t> candidates_;
  std::vector<double> probs_;
};

// Beam search with Hugging Face's candidate walk and stopping rule.
//
// Hypotheses are paths in a history of (token, log-probability, parent)
// nodes that only grows, allocated up front for max_length steps, so a step
// copies no token lists and allocates nothing; the finished hypotheses'
// tokens are read back from the history at the end.
class BeamSearch final : public Search {
 public:
  BeamSearch(const DecodingOptions& options, const SearchVocab& vocab)
      : Search(options, vocab), beam_size_(options.beam_size) {
    beams_.resize(beam_size_);
    for (int b = 0; b < beam_size_; ++b) beams_[b] = Beam{b == 0 ? 0.f : -1e9f, kNoNode};
    next_beams_.reserve(beam_size_);
    history_.reserve(static_cast<size_t>(beam_size_) * static_cast<size_t>(options.max_length));
    finished_.reserve(beam_size_ + 1);
    pool_.reserve(static_cast<size_t>(2 * beam_size_ * beam_size_));
  }

  // The first step runs a single row: every beam holds only the start token,
  // so the other beams' log-probabilities are row 0's.
  int num_rows() const override { return generated_ == 0 ? 1 : beam_size_; }
  int32_t input_token(int row) const override {
    return generated_ == 0 ? vocab_.decoder_start : history_[beams_[row].node].token;
  }

  // Candidates are scored from the masked logits and each row's normaliser
  // (StepScores::LogProb), in the order of operations of a log-softmax, so
  // no row of log-probabilities is written and read back.
  bool NeedsLogProbs() const override { return false; }

  bool Advance(const StepScores& scores, std::vector<int>* parents) override {
    const int64_t V = vocab_.size;
    const size_t wanted = static_cast<size_t>(2 * beam_size_);
    const std::optional<int32_t> forced = ForcedToken();

    // Each beam's 2B best candidates contain the global 2B best.
    pool_.clear();
    const bool forced_eos = ForcedEosStep();
    // The forced first token scores 0 whatever the masks left of it.
    const bool forced_first = !forced_eos && ForcedFirstStep();
    for (int b = 0; b < beam_size_; ++b) {
      const int row = generated_ == 0 ? 0 : b;
      const float base = beams_[b].score;
      if (forced_eos) {
        pool_.push_back({base, b * V + vocab_.eos});
        continue;
      }
      if (forced_first) {
        pool_.push_back({base, b * V + *forced});
        continue;
      }
      if (forced) {
        const float lp = scores.LogProb(row, *forced);
        if (lp != kNegInf) pool_.push_back({base + lp, b * V + *forced});
        continue;
      }
      AppendBest(scores.row(row), scores.best[row], base, b, wanted);
    }
    TopInPlace(0, wanted);

    next_beams_.clear();
    parents->clear();
    for (size_t rank = 0; rank < pool_.size() && static_cast<int>(next_beams_.size()) < beam_size_;
         ++rank) {
      const int b = static_cast<int>(pool_[rank].flat / V);
      const int32_t token = static_cast<int32_t>(pool_[rank].flat % V);
      const float token_logp =
          forced_eos || forced_first ? 0.f : scores.LogProb(generated_ == 0 ? 0 : b, token);
      if (token == vocab_.eos) {
        if (rank < static_cast<size_t>(beam_size_)) {
          AddFinished(Finished{0, 0, beams_[b].node, token_logp, true}, pool_[rank].value,
                      generated_ + 1);
        }
        continue;
      }
      history_.push_back(Node{token, token_logp, beams_[b].node});
      next_beams_.push_back(Beam{pool_[rank].value, static_cast<int32_t>(history_.size() - 1)});
      parents->push_back(generated_ == 0 ? 0 : b);
    }
    beams_.swap(next_beams_);
    ++generated_;

    const int length = generated_;
    bool done = beams_.empty();
    if (!done && static_cast<int>(finished_.size()) == beam_size_) {
      float best_running = beams_[0].score;
      for (const Beam& beam : beams_) best_running = std::max(best_running, beam.score);
      done = WorstFinished() >= Normalize(best_running, length);
    }
    if (!done && generated_ >= options_.max_length) {
      for (const Beam& beam : beams_) {
        AddFinished(Finished{0, 0, beam.node, 0.f, false}, beam.score, length);
      }
      done = true;
    }
    if (done) {
      beams_.clear();
      parents->clear();
    }
    return done;
  }

  bool RowEndsWith(int row, const std::vector<int32_t>& tokens, size_t count) const override {
    // Walks the row's path back from its last token; the start token is first.
    int32_t node = generated_ == 0 ? kNoNode : beams_[row].node;
    for (size_t k = count; k-- > 0;) {
      const int32_t token = node == kNoNode ? vocab_.decoder_start : history_[node].token;
      if (token != tokens[k]) return false;
      if (node == kNoNode) return k == 0;
      node = history_[node].parent;
    }
    return true;
  }

  GenerationResult TakeResult() override {
    std::stable_sort(finished_.begin(), finished_.end(),
                     [](const Finished& a, const Finished& b) { return a.score > b.score; });
    GenerationResult result;
    for (int i = 0; i < options_.num_hypotheses && i < static_cast<int>(finished_.size()); ++i) {
      result.hypotheses.push_back(ToHypothesis(finished_[i]));
    }
    return result;
  }

 private:
  static constexpr int32_t kNoNode = -1;  // the start token
  struct Node {
    int32_t token;
    float logp;
    int32_t parent;  // kNoNode for the first generated token
  };
  struct Beam {
    float score;
    int32_t node;  // its last token
  };
  struct Candidate {
    float value;
    int64_t flat;  // beam * V + token
  };
  struct Finished {
    double score;
    int64_t order;  // insertion order, for ties
    int32_t node;   // the last token before end-of-sentence (or the cut)
    float eos_logp;
    bool ended_with_eos;
  };

  Hypothesis ToHypothesis(const Finished& f) const {
    Hypothesis h;
    for (int32_t n = f.node; n != kNoNode; n = history_[n].parent) {
      h.ids.push_back(history_[n].token);
      h.token_scores.push_back(history_[n].logp);
    }
    std::reverse(h.ids.begin(), h.ids.end());
    std::reverse(h.token_scores.begin(), h.token_scores.end());
    if (f.ended_with_eos) h.token_scores.push_back(f.eos_logp);
    h.ended_with_eos = f.ended_with_eos;
    h.score = static_cast<float>(f.score);
    return h;
  }

  double Normalize(float score, int length) const {
    return static_cast<double>(score) /
           std::pow(static_cast<double>(length), static_cast<double>(options_.length_penalty));
  }

  // Candidates in a total order: higher value first, then lower (beam, token).
  static bool Better(const Candidate& a, const Candidate& b) {
    return a.value > b.value || (a.value == b.value && a.flat < b.flat);
  }

  // Appends beam b's `n` best candidates, best first, in one pass over its
  // logits: a small sorted list, entered only by candidates better than its
  // current last, rather than every token of the vocabulary. A candidate's
  // value is base + log-probability, computed as StepScores::LogProb does.
  void AppendBest(const float* logits, const BestToken& normaliser, float base, int b, size_t n) {
    const int64_t V = vocab_.size;
    const size_t begin = pool_.size();
    const auto consider = [&](int64_t v) {
      const float lp = normaliser.LogProb(logits[v]);
      if (lp == kNegInf) return;
      const Candidate c{base + lp, b * V + v};
      if (pool_.size() - begin == n) {
        if (!Better(c, pool_.back())) return;
        pool_.back() = c;
      } else {
        pool_.push_back(c);
      }
      for (size_t i = pool_.size() - 1; i > begin && Better(pool_[i], pool_[i - 1]); --i) {
        std::swap(pool_[i], pool_[i - 1]);
      }
    };
    int64_t v = 0;
    // Once the list is full, eight tokens at a time are skipped unless one
    // beats its last entry (a later token equal to it never does).
    const __m256 vbase = _mm256_set1_ps(base);
    const __m256 vmax = _mm256_set1_ps(normaliser.max_logit);
    const __m256 vlog_sum = _mm256_set1_ps(normaliser.log_sum);
    for (; v + 8 <= V; v += 8) {
      if (pool_.size() - begin == n) {
        const __m256 lp =
            _mm256_sub_ps(_mm256_sub_ps(_mm256_loadu_ps(logits + v), vmax), vlog_sum);
        const __m256 values = _mm256_add_ps(vbase, lp);
        const __m256 above = _mm256_cmp_ps(values, _mm256_set1_ps(pool_.back().value), _CMP_GT_OQ);
        if (_mm256_movemask_ps(above) == 0) continue;
      }
      for (int64_t j = v; j < v + 8; ++j) consider(j);
    }
    for (; v < V; ++v) consider(v);
  }

  // Keeps in pool_[begin..] only the `n` best candidates, best first.
  void TopInPlace(size_t begin, size_t n) {
    const auto better = Better;
    const size_t count = pool_.size() - begin;
    const size_t keep = std::min(n, count);
    std::partial_sort(pool_.begin() + begin, pool_.begin() + begin + keep, pool_.end(), better);
    pool_.resize(begin + keep);
  }

  double WorstFinished() const {
    double worst = finished_[0].score;
    for (const Finished& f : finished_) worst = std::min(worst, f.score);
    return worst;
  }

  // The finished set holds at most beam_size hypotheses: a new one beyond
  // that evicts the worst (the earliest added among equals).
  void AddFinished(Finished f, float score, int length) {
    f.score = Normalize(score, length);
    f.order = next_order_++;
    finished_.push_back(f);
    if (static_cast<int>(finished_.size()) <= beam_size_) return;
    auto worst = finished_.begin();
    for (auto it = finished_.begin(); it != finished_.end(); ++it) {
      if (it->score < worst->score) worst = it;
    }
    finished_.erase(worst);
  }

  int beam_size_;
  std::vector<Beam> beams_;
  std::vector<Beam> next_beams_;
  std::vector<Node> history_;
  std::vector<Finished> finished_;
  std::vector<Candidate> pool_;
  int64_t next_order_ = 0;
};

}  // namespace

void Search::MaskLogits(float* logits) const {
  const bool eos_allowed = !options_.ignore_eos && generated_ >= options_.min_length;
  for (int r = 0; r < num_rows(); ++r) {
    float* row = logits + r * vocab_.size;
    row[vocab_.pad] = kNegInf;
    if (!eos_allowed) row[vocab_.eos] = kNegInf;
    for (int32_t token : vocab_.banned) row[token] = kNegInf;
    for (const std::vector<int32_t>& sequence : vocab_.banned_sequences) {
      if (RowEndsWith(r, sequence, sequence.size() - 1)) row[sequence.back()] = kNegInf;
    }
  }
}

bool Search::ForcedEosStep() const {
  return vocab_.forced_eos && !options_.ignore_eos && generated_ == options_.max_length - 1;
}

std::optional<int32_t> Search::ForcedToken() const {
  if (forced_first_) {
    if (generated_ == 0) return forced_first_;
    if (generated_ - 1 < static_cast<int>(options_.target_prefix.size())) {
      return options_.target_prefix[generated_ - 1];
    }
    return std::nullopt;
  }
  if (generated_ < static_cast<int>(options_.target_prefix.size())) {
    return options_.target_prefix[generated_];
  }
  return std::nullopt;
}

std::unique_ptr<Search> MakeSearch(const DecodingOptions& options, const SearchVocab& vocab) {
  if (options.beam_size > 1) return std::make_unique<BeamSearch>(options, vocab);
  return std::make_unique<IndependentSearch>(options, vocab);
}

}  // namespace tserve::engine
