#include "engine/decode/generator.h"

#include <algorithm>

namespace tserve::engine {
namespace {

// Caches start with room for this many steps and double when full.
constexpr int64_t kInitialCacheSteps = 32;

}  // namespace

Generator::Generator(const Decoder& decoder, const SearchVocab& vocab)
    : decoder_(decoder), vocab_(vocab), log_softmax_(vocab.size) {}

JobId Generator::Add(std::shared_ptr<const SourceMemory> source, const DecodingOptions& options) {
  Job job{next_id_++, std::move(source), MakeSearch(options, vocab_), {},
          std::min<int64_t>(options.max_length, kInitialCacheSteps)};
  for (int r = 0; r < job.search->num_rows(); ++r) {
    job.caches.push_back(TakeCache(job.reserve_steps));
  }
  jobs_.push_back(std::move(job));
  return jobs_.back().id;
}

bool Generator::Cancel(JobId id) {
  auto it = std::find_if(jobs_.begin(), jobs_.end(), [id](const Job& j) { return j.id == id; });
  if (it == jobs_.end()) return false;
  ReleaseCaches(*it);
  jobs_.erase(it);
  return true;
}

int Generator::live_rows() const {
  int rows = 0;
  for (const Job& job : jobs_) rows += static_cast<int>(job.caches.size());
  return rows;
}

std::unique_ptr<SelfAttentionCache> Generator::TakeCache(int64_t reserve_steps) {
  if (cache_pool_.empty()) return decoder_.NewCache(reserve_steps);
  std::unique_ptr<SelfAttentionCache> cache = std::move(cache_pool_.back());
  cache_pool_.pop_back();
  cache->Clear();
  return cache;
}

void Generator::ReleaseCaches(Job& job) {
  for (auto& cache : job.caches) cache_pool_.push_back(std::move(cache));
  job.caches.clear();
}

void Generator::ReorderCaches(Job& job, const std::vector<int>& parents) {
  std::vector<std::unique_ptr<SelfAttentionCache>> next(parents.size());
  std::vector<bool> moved(job.caches.size(), false);
  // Copies first (while every parent is still in place), then moves.
  std::vector<bool> first_use(job.caches.size(), true);
  std::vector<bool> is_copy(parents.size(), false);
  for (size_t i = 0; i < parents.size(); ++i) {
    if (!first_use[parents[i]]) is_copy[i] = true;
    first_use[parents[i]] = false;
  }
  for (size_t i = 0; i < parents.size(); ++i) {
    if (!is_copy[i]) continue;
    next[i] = TakeCache(job.reserve_steps);
    next[i]->CopyFrom(*job.caches[parents[i]]);
  }
  for (size_t i = 0; i < parents.size(); ++i) {
    if (is_copy[i]) continue;
    next[i] = std::move(job.caches[parents[i]]);
    moved[parents[i]] = true;
  }
  for (size_t r = 0; r < job.caches.size(); ++r) {
    if (!moved[r]) cache_pool_.push_back(std::move(job.caches[r]));
  }
  job.caches = std::move(next);
}

void Generator::Step(std::vector<TokenEvent>* tokens, std::vector<FinishedJob>* finished) {
  if (jobs_.empty()) return;
  rows_.clear();
  for (const Job& job : jobs_) {
    for (int r = 0; r < job.search->num_rows(); ++r) {
      rows_.push_back({job.search->input_token(r), job.caches[r].get(), job.source.get()});
    }
  }
  decoder_.Step(rows_, workspace_, logits_);
  ++steps_;

  const int64_t V = vocab_.size;
  int64_t offset = 0;
  for (const Job& job : jobs_) {
    job.search->MaskLogits(logits_.data() + offset * V);
    offset += job.search->num_rows();
  }
  log_softmax_.ForwardInPlace(logits_.data(), static_cast<int64_t>(rows_.size()));

  offset = 0;
  std::vector<Job> still_live;
  still_live.reserve(jobs_.size());
  for (Job& job : jobs_) {
    const int rows = job.search->num_rows();
    const bool done = job.search->Advance(logits_.data() + offset * V, &parents_);
    offset += rows;
    if (tokens != nullptr) {
      if (auto token = job.search->LastToken()) tokens->push_back({job.id, *token});
    }
    if (done) {
      ReleaseCaches(job);
      finished->push_back({job.id, job.search->TakeResult()});
      continue;
    }
    ReorderCaches(job, parents_);
    still_live.push_back(std::move(job));
  }
  jobs_ = std::move(still_live);
}

}  // namespace tserve::engine
