#include "engine/decode/search.h"

#include <algorithm>
#include <cmath>
#include <limits>

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
      live_.push_back(h);
    }
  }

  int num_rows() const override { return static_cast<int>(live_.size()); }
  int32_t input_token(int row) const override { return rows_[live_[row]].last_token; }

  bool Advance(const float* logp, std::vector<int>* parents) override {
    const std::optional<int32_t> forced = ForcedToken();
    parents->clear();
    std::vector<int> still_live;
    last_.reset();
    for (int i = 0; i < num_rows(); ++i) {
      Row& row = rows_[live_[i]];
      const float* lp = logp + i * vocab_.size;
      const int32_t token = forced ? *forced : options_.sampling() ? Sample(lp, row.rng) : Argmax(lp);
      const float score = lp[token];
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
        still_live.push_back(live_[i]);
        parents->push_back(i);
      }
    }
    live_ = std::move(still_live);
    ++generated_;
    return live_.empty();
  }

  GenerationResult TakeResult() override {
    GenerationResult result;
    for (Row& row : rows_) result.hypotheses.push_back(std::move(row.hypothesis));
    return result;
  }

  std::optional<StreamedToken> LastToken() const override { return last_; }

 private:
  struct Row {
    Hypothesis hypothesis;
    SplitMix64 rng;
    int32_t last_token;
  };

  int32_t Argmax(const float* lp) const {
    int32_t best = 0;
    for (int64_t v = 1; v < vocab_.size; ++v) {
      if (lp[v] > lp[best]) best = static_cast<int32_t>(v);
    }
    return best;
  }

  int32_t Sample(const float* lp, SplitMix64& rng) {
    candidates_.clear();
    for (int64_t v = 0; v < vocab_.size; ++v) {
      if (lp[v] != kNegInf) candidates_.push_back(static_cast<int32_t>(v));
    }
    auto by_logp = [lp](int32_t a, int32_t b) { return lp[a] > lp[b] || (lp[a] == lp[b] && a < b); };
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
class BeamSearch final : public Search {
 public:
  BeamSearch(const DecodingOptions& options, const SearchVocab& vocab)
      : Search(options, vocab), beam_size_(options.beam_size) {
    beams_.resize(beam_size_);
    for (int b = 0; b < beam_size_; ++b) beams_[b].score = b == 0 ? 0.f : -1e9f;
  }

  // The first step runs a single row: every beam holds only the start token,
  // so the other beams' log-probabilities are row 0's.
  int num_rows() const override { return generated_ == 0 ? 1 : beam_size_; }
  int32_t input_token(int row) const override {
    return generated_ == 0 ? vocab_.decoder_start : beams_[row].ids.back();
  }

  bool Advance(const float* logp, std::vector<int>* parents) override {
    const int64_t V = vocab_.size;
    const size_t wanted = static_cast<size_t>(2 * beam_size_);
    const std::optional<int32_t> forced = ForcedToken();

    // Each beam's 2B best candidates contain the global 2B best.
    pool_.clear();
    for (int b = 0; b < beam_size_; ++b) {
      const float* lp = logp + (generated_ == 0 ? 0 : b) * V;
      const float base = beams_[b].score;
      if (forced) {
        if (lp[*forced] != kNegInf) pool_.push_back({base + lp[*forced], b * V + *forced});
        continue;
      }
      const size_t begin = pool_.size();
      for (int64_t v = 0; v < V; ++v) {
        if (lp[v] != kNegInf) pool_.push_back({base + lp[v], b * V + v});
      }
      TopInPlace(begin, wanted);
    }
    TopInPlace(0, wanted);

    std::vector<Beam> next;
    parents->clear();
    for (size_t rank = 0; rank < pool_.size() && static_cast<int>(next.size()) < beam_size_;
         ++rank) {
      const int b = static_cast<int>(pool_[rank].flat / V);
      const int32_t token = static_cast<int32_t>(pool_[rank].flat % V);
      const float token_logp = logp[(generated_ == 0 ? 0 : b) * V + token];
      if (token == vocab_.eos) {
        if (rank < static_cast<size_t>(beam_size_)) {
          Hypothesis h;
          h.ids = beams_[b].ids;
          h.token_scores = beams_[b].token_scores;
          h.token_scores.push_back(token_logp);
          h.ended_with_eos = true;
          AddFinished(std::move(h), pool_[rank].value, generated_ + 1);
        }
        continue;
      }
      Beam child{beams_[b].ids, beams_[b].token_scores, pool_[rank].value};
      child.ids.push_back(token);
      child.token_scores.push_back(token_logp);
      next.push_back(std::move(child));
      parents->push_back(generated_ == 0 ? 0 : b);
    }
    beams_ = std::move(next);
    ++generated_;

    const int length = generated_;
    bool done = beams_.empty();
    if (!done && static_cast<int>(finished_.size()) == beam_size_) {
      float best_running = beams_[0].score;
      for (const Beam& beam : beams_) best_running = std::max(best_running, beam.score);
      done = WorstFinished() >= Normalize(best_running, length);
    }
    if (!done && generated_ >= options_.max_length) {
      for (Beam& beam : beams_) {
        AddFinished(Hypothesis{std::move(beam.ids), 0.f, std::move(beam.token_scores), false},
                    beam.score, length);
      }
      done = true;
    }
    if (done) {
      beams_.clear();
      parents->clear();
    }
    return done;
  }

  GenerationResult TakeResult() override {
    std::stable_sort(finished_.begin(), finished_.end(),
                     [](const Finished& a, const Finished& b) { return a.score > b.score; });
    GenerationResult result;
    for (int i = 0; i < options_.num_hypotheses && i < static_cast<int>(finished_.size()); ++i) {
      finished_[i].hypothesis.score = static_cast<float>(finished_[i].score);
      result.hypotheses.push_back(std::move(finished_[i].hypothesis));
    }
    return result;
  }

 private:
  struct Beam {
    std::vector<int32_t> ids;
    std::vector<float> token_scores;
    float score;
  };
  struct Candidate {
    float value;
    int64_t flat;  // beam * V + token
  };
  struct Finished {
    Hypothesis hypothesis;
    double score;
    int64_t order;  // insertion order, for ties
  };

  double Normalize(float score, int length) const {
    return static_cast<double>(score) /
           std::pow(static_cast<double>(length), static_cast<double>(options_.length_penalty));
  }

  // Keeps in pool_[begin..] only the `n` best candidates, best first.
  void TopInPlace(size_t begin, size_t n) {
    auto better = [](const Candidate& a, const Candidate& b) {
      return a.value > b.value || (a.value == b.value && a.flat < b.flat);
    };
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
  void AddFinished(Hypothesis h, float score, int length) {
    finished_.push_back({std::move(h), Normalize(score, length), next_order_++});
    if (static_cast<int>(finished_.size()) <= beam_size_) return;
    auto worst = finished_.begin();
    for (auto it = finished_.begin(); it != finished_.end(); ++it) {
      if (it->score < worst->score) worst = it;
    }
    finished_.erase(worst);
  }

  int beam_size_;
  std::vector<Beam> beams_;
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
  }
}

std::optional<int32_t> Search::ForcedToken() const {
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
