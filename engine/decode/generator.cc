#include "engine/decode/generator.h"

#include <algorithm>
#include <limits>

#include "engine/core/profile.h"
#include "engine/ops/vector_math.h"

namespace tserve::engine {
namespace {

// Caches start with room for this many steps and double when full.
constexpr int64_t kInitialCacheSteps = 32;

}  // namespace

Generator::Generator(const Decoder& decoder, const SearchVocab& vocab)
    : decoder_(decoder), vocab_(vocab), log_softmax_(vocab.size) {}

JobId Generator::Add(std::shared_ptr<const SourceMemory> source, const DecodingOptions& options) {
  Job job{.id = next_id_++,
          .source = std::move(source),
          .search = MakeSearch(options, vocab_),
          .reserve_steps = std::min<int64_t>(options.max_length, kInitialCacheSteps)};
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
  const ProfileScope profile("search: cache reorder");
  // Rows that continue in place (greedy and sampling rows that did not end)
  // need nothing.
  bool identity = parents.size() == job.caches.size();
  for (size_t i = 0; identity && i < parents.size(); ++i)
    identity = parents[i] == static_cast<int>(i);
  if (identity) return;

  // The buffers below are members so that a step allocates nothing: they
  // only grow, to the largest beam seen.
  reordered_.clear();
  reordered_.resize(parents.size());
  moved_.assign(job.caches.size(), 0);
  is_copy_.assign(parents.size(), 0);
  // A parent's first child takes its cache; later children copy it.
  for (size_t i = 0; i < parents.size(); ++i) {
    is_copy_[i] = moved_[parents[i]];
    moved_[parents[i]] = 1;
  }
  // Caches of rows without children go back to the pool first, so the copies
  // reuse them; then copies (while every parent is still in place), then moves.
  for (size_t r = 0; r < job.caches.size(); ++r) {
    if (!moved_[r]) cache_pool_.push_back(std::move(job.caches[r]));
  }
  for (size_t i = 0; i < parents.size(); ++i) {
    if (!is_copy_[i]) continue;
    reordered_[i] = TakeCache(job.reserve_steps);
    reordered_[i]->CopyFrom(*job.caches[parents[i]]);
  }
  for (size_t i = 0; i < parents.size(); ++i) {
    if (!is_copy_[i]) reordered_[i] = std::move(job.caches[parents[i]]);
  }
  job.caches.swap(reordered_);
}

void Generator::MaskAll() {
  const int64_t V = vocab_.size;
  int64_t offset = 0;
  for (const Job& job : jobs_) {
    job.search->MaskLogits(logits_.data() + offset * V);
    offset += job.search->num_rows();
  }
}

void Generator::Normalize() {
  // Runs of consecutive jobs alike are normalised together: log-softmax in
  // place for the searches that read whole rows (sampling), each row's best
  // token and normaliser for the others (greedy, beam search), which leaves
  // the logits as they are.
  const int64_t V = vocab_.size;
  best_.resize(rows_.size());
  int64_t offset = 0;
  for (size_t first = 0; first < jobs_.size();) {
    const bool log_probs = jobs_[first].search->NeedsLogProbs();
    int64_t rows = 0;
    size_t end = first;
    for (; end < jobs_.size() && jobs_[end].search->NeedsLogProbs() == log_probs; ++end) {
      rows += jobs_[end].search->num_rows();
    }
    float* run = logits_.data() + offset * V;
    if (log_probs) {
      log_softmax_.ForwardInPlace(run, rows);
    } else {
      FindBestTokens(run, rows, V, best_.data() + offset);
    }
    offset += rows;
    first = end;
  }
}

void Generator::AdvanceAll() {
  const ProfileScope profile("search: advance");
  const int64_t V = vocab_.size;
  // Each job's search reads its own rows and changes only itself, so the
  // jobs are spread over the OpenMP team once the rows they scan in full
  // (beam search, sampling) are worth a fork.
  offsets_.resize(jobs_.size());
  int64_t offset = 0, scanned = 0;
  for (size_t j = 0; j < jobs_.size(); ++j) {
    offsets_[j] = offset;
    const Search& search = *jobs_[j].search;
    const int rows = search.num_rows();
    if (search.NeedsLogProbs() || rows > 1) scanned += rows * V;  // not greedy
    offset += rows;
  }
  const int64_t count = static_cast<int64_t>(jobs_.size());
  const bool parallel = count > 1 && scanned >= (int64_t{1} << 18);
#pragma omp parallel for schedule(dynamic, 1) if (parallel)
  for (int64_t j = 0; j < count; ++j) {
    Job& job = jobs_[j];
    const int64_t first = offsets_[j];
    const StepScores scores{logits_.data() + first * V,
                            job.search->NeedsLogProbs() ? nullptr : best_.data() + first, V};
    job.done = job.search->Advance(scores, &job.parents);
  }
}

void Generator::Step(std::vector<TokenEvent>* tokens, std::vector<FinishedJob>* finished) {
  const ProfileScope profile("phase: generator step (decoder step + search)");
  if (jobs_.empty()) return;
  rows_.clear();
  for (const Job& job : jobs_) {
    for (int r = 0; r < job.search->num_rows(); ++r) {
      rows_.push_back({job.search->input_token(r), job.caches[r].get(), job.source.get()});
    }
  }
  decoder_.Step(rows_, workspace_, logits_);
  ++steps_;

  // With renormalize_logits the masked logits are normalised; without it (Hugging
  // Face's default) the raw logits are, and the masks apply to the log-probabilities.
  if (vocab_.renormalize) {
    MaskAll();
    Normalize();
  } else {
    Normalize();
    MaskAll();
  }
  AdvanceAll();

  // Jobs that go on are compacted to the front in place, keeping their order.
  size_t kept = 0;
  for (Job& job : jobs_) {
    const bool done = job.done;
    if (tokens != nullptr) {
      if (auto token = job.search->LastToken()) tokens->push_back({job.id, *token});
    }
    if (done) {
      ReleaseCaches(job);
      finished->push_back({job.id, job.search->TakeResult()});
      continue;
    }
    ReorderCaches(job, job.parents);
    if (&jobs_[kept] != &job) jobs_[kept] = std::move(job);
    ++kept;
  }
  jobs_.erase(jobs_.begin() + static_cast<std::ptrdiff_t>(kept), jobs_.end());
}

}  // namespace tserve::engine
