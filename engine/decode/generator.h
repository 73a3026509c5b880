#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/core/tensor.h"
#include "engine/decode/decoding_options.h"
#include "engine/decode/search.h"
#include "engine/model/decoder.h"
#include "engine/model/kv_cache.h"
#include "engine/ops/best_token.h"
#include "engine/ops/log_softmax.h"

namespace tserve::engine {

using JobId = uint64_t;

// Continuous, step-level decoding over a live set of sentences.
//
// Each sentence (a "job") owns a search and a few decoder rows. Step() runs
// the decoder once over every live row of every job, whatever its length or
// mode, then lets each job pick its tokens. A job that finishes leaves at
// once and its caches return to a pool; a job added between steps joins at
// the next one. Not thread-safe: one thread drives a generator.
class Generator {
 public:
  struct TokenEvent {
    JobId job;
    StreamedToken token;
  };
  struct FinishedJob {
    JobId job;
    GenerationResult result;
  };

  Generator(const Decoder& decoder, const SearchVocab& vocab);

  // `options` must have passed DecodingOptions::Validate.
  JobId Add(std::shared_ptr<const SourceMemory> source, const DecodingOptions& options);

  // Drops a job; its rows and caches are released at once. False when the
  // job is unknown (finished or never added).
  bool Cancel(JobId job);

  // One decoder step over all live rows. Appends the tokens that greedy and
  // sampling jobs gained to `tokens` (may be null) and the jobs that ended to
  // `finished`.
  void Step(std::vector<TokenEvent>* tokens, std::vector<FinishedJob>* finished);

  int live_jobs() const { return static_cast<int>(jobs_.size()); }
  int live_rows() const;
  // Caches held for reuse, not attached to any row.
  int pooled_caches() const { return static_cast<int>(cache_pool_.size()); }
  int64_t steps() const { return steps_; }

 private:
  struct Job {
    JobId id;
    std::shared_ptr<const SourceMemory> source;
    std::unique_ptr<Search> search;
    std::vector<std::unique_ptr<SelfAttentionCache>> caches = {};  // one per row
    int64_t reserve_steps;
    // The last Advance: whether the job ended, and each next row's parent.
    bool done = false;
    std::vector<int> parents = {};
  };

  // The steps of turning the decoder's logits into each search's scores.
  void MaskAll();
  void Normalize();
  // Every job's search takes its scores (Search::Advance), filling Job::done
  // and Job::parents.
  void AdvanceAll();

  std::unique_ptr<SelfAttentionCache> TakeCache(int64_t reserve_steps);
  void ReleaseCaches(Job& job);
  // Rearranges a job's caches after a step: row i of the next step continues
  // the past of row parents[i] of this one.
  void ReorderCaches(Job& job, const std::vector<int>& parents);

  const Decoder& decoder_;
  SearchVocab vocab_;
  LogSoftmax log_softmax_;
  std::vector<Job> jobs_;  // in arrival order
  JobId next_id_ = 1;
  int64_t steps_ = 0;
  std::vector<std::unique_ptr<SelfAttentionCache>> cache_pool_;
  // Reused across steps.
  DecoderWorkspace workspace_;
  Tensor logits_;
  std::vector<BestToken> best_;  // per row of the step, for greedy jobs
  std::vector<DecoderRow> rows_;
  std::vector<int64_t> offsets_;  // each job's first row in the step
  std::vector<std::unique_ptr<SelfAttentionCache>> reordered_;
  std::vector<char> moved_;
  std::vector<char> is_copy_;
};

}  // namespace tserve::engine
