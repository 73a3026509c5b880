#include "server/batching/scheduler.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/core/dnnl_context.h"
#include "server/batching/batch_former.h"

namespace tserve::server {
namespace {

absl::Status DropStatus(DropReason reason) {
  switch (reason) {
    case DropReason::kDeadline:
      return absl::DeadlineExceededError("the deadline passed before the result was ready");
    case DropReason::kCancelled:
      return absl::CancelledError("the call was cancelled");
    case DropReason::kShutdown:
      return absl::UnavailableError("the server is shutting down; retry on another replica");
  }
  return absl::InternalError("unknown drop reason");
}

}  // namespace

Scheduler::Scheduler(const engine::TranslationModel& model, SchedulerOptions options,
                     SchedulerObserver* observer)
    : model_(model),
      options_(std::move(options)),
      observer_(observer != nullptr ? observer : &null_observer_),
      generator_(model.NewGenerator()) {
  thread_ = std::thread([this] { Run(); });
}

Scheduler::~Scheduler() { Stop(); }

absl::Status Scheduler::Submit(std::vector<WorkItem> items) {
  int64_t tokens = 0;
  for (const WorkItem& item : items) {
    if (item.rows() > options_.max_live_rows) {
      return absl::InvalidArgumentError(
          absl::StrCat("a sentence needs ", item.rows(), " decoder rows (beam size or samples); ",
                       "this server decodes at most ", options_.max_live_rows, " rows at once"));
    }
    tokens += static_cast<int64_t>(item.source.size());
  }
  const int count = static_cast<int>(items.size());
  const absl::Time now = absl::Now();
  {
    std::lock_guard lock(mutex_);
    if (draining_ || stopping_) {
      return absl::UnavailableError("the server is shutting down; retry on another replica");
    }
    if (static_cast<int>(queue_.size()) + count > options_.max_queue_sentences ||
        queued_tokens_ + tokens > options_.max_queue_tokens) {
      counters_.rejected.fetch_add(count);
      observer_->OnRejected(count);
      return absl::ResourceExhaustedError(absl::StrCat(
          "the queue is full (", queue_.size(), " sentences and ", queued_tokens_,
          " tokens waiting; limits ", options_.max_queue_sentences, " and ",
          options_.max_queue_tokens, "); retry with backoff or send fewer texts per call"));
    }
    for (WorkItem& item : items) {
      ItemTrace trace;
      trace.enqueued = now;
      queue_.push_back(Queued{std::move(item), trace});
    }
    queued_tokens_ += tokens;
    counters_.admitted.fetch_add(count);
    counters_.outstanding.fetch_add(count);
    observer_->OnAdmitted(count, tokens);
    observer_->OnQueueDepth(static_cast<int>(queue_.size()), queued_tokens_);
  }
  queue_changed_.notify_one();
  return absl::OkStatus();
}

std::optional<DropReason> Scheduler::ShouldDrop(const WorkItem& item, absl::Time now) {
  if (item.cancellation != nullptr && item.cancellation->cancelled()) {
    return DropReason::kCancelled;
  }
  if (now >= item.deadline) return DropReason::kDeadline;
  return std::nullopt;
}

bool Scheduler::NextBatch(std::vector<Queued>& batch, std::vector<Queued>& dropped) {
  std::unique_lock lock(mutex_);
  while (true) {
    if (stopping_) return false;
    const absl::Time now = absl::Now();
    const size_t dropped_before = dropped.size();
    for (auto it = queue_.begin(); it != queue_.end();) {
      if (ShouldDrop(it->item, now)) {
        queued_tokens_ -= static_cast<int64_t>(it->item.source.size());
        dropped.push_back(std::move(*it));
        it = queue_.erase(it);
      } else {
        ++it;
      }
    }
    // Items cancelled or expired in the queue leave it here: the depth
    // gauge must follow, or it would keep counting them while idle.
    if (dropped.size() != dropped_before) {
      observer_->OnQueueDepth(static_cast<int>(queue_.size()), queued_tokens_);
    }
    const bool decoding = generator_->live_jobs() > 0;
    if (queue_.empty()) {
      if (decoding || !dropped.empty()) return true;
      queue_changed_.wait(lock);
      continue;
    }
    if (options_.static_batching && decoding) return true;
    // A batch forms once it is full or its oldest item has waited
    // max_queue_delay. Until then an idle engine sleeps, a busy one runs
    // another decoder step: encoding many small batches would cost more
    // than it saves, and a fuller queue lets length grouping choose better.
    const absl::Time fill_deadline = queue_.front().trace.enqueued + options_.max_queue_delay;
    const bool full = static_cast<int>(queue_.size()) >= options_.max_batch_size ||
                      queued_tokens_ >= options_.max_batch_tokens;
    if (!full && now < fill_deadline) {
      if (decoding) return true;
      queue_changed_.wait_until(lock, absl::ToChronoTime(fill_deadline));
      continue;
    }
    std::vector<QueuedItemShape> shapes;
    shapes.reserve(queue_.size());
    for (const Queued& q : queue_) {
      shapes.push_back({static_cast<int64_t>(q.item.source.size()), q.item.rows(),
                        static_cast<int>(q.item.kind)});
    }
    const std::vector<size_t> chosen =
        SelectBatch(shapes, {options_.max_batch_size, options_.max_batch_tokens, free_rows(),
                             options_.group_by_length,
                             options_.group_by_length ? options_.max_padding_ratio : 0.0});
    for (size_t i : chosen) {
      queued_tokens_ -= static_cast<int64_t>(queue_[i].item.source.size());
      batch.push_back(std::move(queue_[i]));
    }
    for (auto it = chosen.rbegin(); it != chosen.rend(); ++it) queue_.erase(queue_.begin() + *it);
    observer_->OnQueueDepth(static_cast<int>(queue_.size()), queued_tokens_);
    return true;
  }
}

void Scheduler::Run() {
  engine::SetIntraOpThreads(options_.threads);
  std::vector<Queued> batch;
  std::vector<Queued> dropped;
  while (true) {
    batch.clear();
    dropped.clear();
    const bool keep_running = NextBatch(batch, dropped);
    const absl::Time now = absl::Now();
    for (Queued& q : dropped) {
      Drop(q.item, ShouldDrop(q.item, now).value_or(DropReason::kCancelled), {});
    }
    if (!keep_running) break;
    if (!batch.empty()) EncodeBatch(batch);
    if (generator_->live_jobs() > 0) {
      DecodeStep();
      DropExpiredLive();
    }
    PublishGauges();
  }

  // Shutting down: whatever is left will not be computed.
  std::deque<Queued> left;
  {
    std::lock_guard lock(mutex_);
    left.swap(queue_);
    queued_tokens_ = 0;
  }
  for (Queued& q : left) Drop(q.item, DropReason::kShutdown, {});
  for (auto& [job, live] : live_) {
    generator_->Cancel(job);
    Drop(live.item, DropReason::kShutdown, {});
  }
  live_.clear();
  reserved_rows_ = 0;
  PublishGauges();
}

void Scheduler::EncodeBatch(std::vector<Queued>& batch) {
  const absl::Time now = absl::Now();
  std::vector<std::vector<int32_t>> sources;
  int64_t real_tokens = 0;
  int64_t longest = 0;
  for (Queued& q : batch) {
    q.trace.batched = now;
    observer_->OnQueueWait(now - q.trace.enqueued);
    real_tokens += static_cast<int64_t>(q.item.source.size());
    longest = std::max<int64_t>(longest, static_cast<int64_t>(q.item.source.size()));
    sources.push_back(q.item.source);
  }
  const int64_t padded_tokens = longest * static_cast<int64_t>(batch.size());
  counters_.batches.fetch_add(1);
  counters_.real_tokens.fetch_add(real_tokens);
  counters_.padded_tokens.fetch_add(padded_tokens);
  observer_->OnBatch(static_cast<int>(batch.size()), real_tokens, padded_tokens);

  if (batch.front().item.kind == WorkItem::Kind::kEncode) {
    engine::PaddedBatch padded = engine::PaddedBatch::FromSequences(
        sources, static_cast<int32_t>(model_.config().pad_token_id));
    engine::Tensor states;
    model_.EncodeBatch(padded, encoder_workspace_, states);
    const int64_t d = model_.config().d_model;
    for (size_t b = 0; b < batch.size(); ++b) {
      ItemResult result;
      result.embedding = engine::PoolStates(states.data() + b * padded.max_length * d,
                                            padded.lengths[b], d, batch[b].item.pooling,
                                            batch[b].item.normalize);
      result.trace = batch[b].trace;
      result.trace.finished = absl::Now();
      Complete(batch[b].item, std::move(result));
    }
    return;
  }

  auto memories = model_.EncodeForDecoding(sources, encoder_workspace_, decoder_workspace_);
  for (size_t b = 0; b < batch.size(); ++b) {
    const engine::JobId job = generator_->Add(std::move(memories[b]), batch[b].item.decoding);
    Live live{std::move(batch[b].item), batch[b].trace, absl::Now()};
    live.trace.joined_at_step = generator_->steps();
    reserved_rows_ += live.item.rows();
    live_.emplace(job, std::move(live));
  }
}

void Scheduler::DecodeStep() {
  std::vector<engine::Generator::TokenEvent> tokens;
  std::vector<engine::Generator::FinishedJob> finished;
  generator_->Step(&tokens, &finished);
  counters_.steps.fetch_add(1);
  const absl::Time now = absl::Now();
  for (const auto& event : tokens) {
    auto it = live_.find(event.job);
    if (it == live_.end()) continue;
    Live& live = it->second;
    if (live.trace.first_token == absl::Time()) {
      live.trace.first_token = now;
      observer_->OnFirstToken(now - live.trace.enqueued);
    } else {
      observer_->OnToken(now - live.last_token);
    }
    live.last_token = now;
    if (live.item.on_token) live.item.on_token(event.token);
  }
  for (auto& done : finished) {
    auto it = live_.find(done.job);
    if (it == live_.end()) continue;
    Live live = std::move(it->second);
    live_.erase(it);
    reserved_rows_ -= live.item.rows();
    ItemResult result;
    result.translation = std::move(done.result);
    result.trace = live.trace;
    result.trace.finished_at_step = generator_->steps();
    result.trace.finished = now;
    if (result.trace.first_token == absl::Time()) {
      observer_->OnFirstToken(now - live.trace.enqueued);
    }
    Complete(live.item, std::move(result));
  }
  observer_->OnStep(generator_->live_rows(), generator_->live_jobs());
}

void Scheduler::DropExpiredLive() {
  const absl::Time now = absl::Now();
  std::vector<std::pair<engine::JobId, DropReason>> expired;
  for (const auto& [job, live] : live_) {
    if (auto reason = ShouldDrop(live.item, now)) expired.emplace_back(job, *reason);
  }
  for (const auto& [job, reason] : expired) {
    generator_->Cancel(job);
    auto it = live_.find(job);
    reserved_rows_ -= it->second.item.rows();
    Drop(it->second.item, reason, {});
    live_.erase(it);
  }
}

void Scheduler::Complete(WorkItem& item, absl::StatusOr<ItemResult> result) {
  counters_.completed.fetch_add(1);
  counters_.outstanding.fetch_sub(1);
  if (item.on_done) item.on_done(std::move(result));
}

void Scheduler::Drop(WorkItem& item, DropReason reason, absl::Status status) {
  switch (reason) {
    case DropReason::kDeadline:
      counters_.dropped_deadline.fetch_add(1);
      break;
    case DropReason::kCancelled:
      counters_.dropped_cancelled.fetch_add(1);
      break;
    case DropReason::kShutdown:
      counters_.dropped_shutdown.fetch_add(1);
      break;
  }
  observer_->OnDropped(reason);
  counters_.outstanding.fetch_sub(1);
  if (item.on_done) item.on_done(status.ok() ? DropStatus(reason) : status);
}

void Scheduler::PublishGauges() {
  counters_.live_rows.store(generator_->live_rows());
  counters_.live_sequences.store(generator_->live_jobs());
  counters_.pooled_caches.store(generator_->pooled_caches());
}

bool Scheduler::Drain(absl::Time deadline) {
  {
    std::lock_guard lock(mutex_);
    draining_ = true;
  }
  while (counters_.outstanding.load() > 0) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(2));
  }
  return true;
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    draining_ = true;
    stopping_ = true;
  }
  queue_changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

SchedulerStats Scheduler::Stats() const {
  SchedulerStats s;
  s.admitted = counters_.admitted.load();
  s.rejected = counters_.rejected.load();
  s.batches = counters_.batches.load();
  s.steps = counters_.steps.load();
  s.completed = counters_.completed.load();
  s.dropped_deadline = counters_.dropped_deadline.load();
  s.dropped_cancelled = counters_.dropped_cancelled.load();
  s.dropped_shutdown = counters_.dropped_shutdown.load();
  s.live_rows = counters_.live_rows.load();
  s.live_sequences = counters_.live_sequences.load();
  s.pooled_caches = counters_.pooled_caches.load();
  s.real_tokens = counters_.real_tokens.load();
  s.padded_tokens = counters_.padded_tokens.load();
  std::lock_guard lock(mutex_);
  s.queued_sentences = static_cast<int>(queue_.size());
  s.queued_tokens = queued_tokens_;
  return s;
}

}  // namespace tserve::server
