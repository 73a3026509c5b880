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

// A cancellation this close to the call's deadline is the deadline's doing.
constexpr absl::Duration kDeadlineSlack = absl::Milliseconds(50);

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
    if (item.kind == WorkItem::Kind::kTranslate) {
      if (absl::Status s = model_.CheckCanTranslate(); !s.ok()) return s;
    }
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
  if (now >= item.deadline) return DropReason::kDeadline;
  if (item.cancellation != nullptr && item.cancellation->cancelled()) {
    // gRPC cancels a call whose deadline passes; its timer may fire a moment
    // before this clock reads the deadline as passed. That is an expiry too.
    return item.deadline - now <= kDeadlineSlack ? DropReason::kDeadline : DropReason::kCancelled;
  }
  return std::nullopt;
}

bool Scheduler::NextBatch(std::vector<Queued>& batch, std::vector<Queued>& dropped,
                          bool& queue_needs_held_rows) {
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
    // Busy: the loop has decoder steps or encoder work to do without waiting.
    const bool busy = live_jobs() > 0 || !pending_.empty();
    if (queue_.empty()) {
      if (busy || !dropped.empty()) return true;
      queue_changed_.wait(lock);
      continue;
    }
    if (options_.static_batching && busy) return true;
    // Sentences leave the queue for encoding while there is room: up to two
    // full batches' tokens being encoded, so a long batch in progress never
    // keeps a short one out.
    if (pending_tokens_ >= 2 * options_.max_batch_tokens) return true;
    // A batch forms once it is full or its oldest item has waited
    // max_queue_delay. Until then an idle engine sleeps, a busy one runs
    // another decoder step: encoding many small batches would cost more
    // than it saves, and a fuller queue lets length grouping choose better.
    const absl::Time fill_deadline = queue_.front().trace.enqueued + options_.max_queue_delay;
    const bool full = static_cast<int>(queue_.size()) >= options_.max_batch_size ||
                      queued_tokens_ >= options_.max_batch_tokens;
    if (!full && now < fill_deadline) {
      if (busy) return true;
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
    if (chosen.empty() && !busy) {
      // The oldest sentence waits for decoder rows, and with nothing being
      // encoded or decoded, held sentences are all that occupy them: unless
      // they join, nothing would move.
      queue_needs_held_rows = true;
      return true;
    }
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
    bool queue_needs_held_rows = false;
    const bool keep_running = NextBatch(batch, dropped, queue_needs_held_rows);
    const absl::Time now = absl::Now();
    for (Queued& q : dropped) {
      Drop(q.item, ShouldDrop(q.item, now).value_or(DropReason::kCancelled), {});
      // (When stopping, held sentences are dropped below instead of joining.)
      if (keep_running) StopWaitingFor(q.item);
    }
    if (!keep_running) break;
    if (queue_needs_held_rows) JoinHeld(nullptr);
    if (!batch.empty()) StartEncoding(batch);
    DropExpiredPending();
    DropExpiredHeld();
    if (!pending_.empty()) RunEncoders();
    if (live_jobs() > 0) {
      DecodeStep();
      DropExpiredLive();
    } else {
      last_step_seconds_ = 0;  // no step for the encoder budget to follow
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
  for (Pending& pending : pending_) {
    for (size_t b = 0; b < pending.items.size(); ++b) {
      if (!pending.answered[b]) Drop(pending.items[b].item, DropReason::kShutdown, {});
    }
  }
  pending_.clear();
  pending_tokens_ = 0;
  for (Held& held : held_) Drop(held.queued.item, DropReason::kShutdown, {});
  held_.clear();
  for (auto& [job, live] : live_) {
    generator_->Cancel(job);
    Drop(live.item, DropReason::kShutdown, {});
  }
  live_.clear();
  reserved_rows_ = 0;
  PublishGauges();
}

void Scheduler::StartEncoding(std::vector<Queued>& batch) {
  const absl::Time now = absl::Now();
  int64_t real_tokens = 0;
  int64_t longest = 0;
  for (Queued& q : batch) {
    q.trace.batched = now;
    observer_->OnQueueWait(now - q.trace.enqueued);
    real_tokens += static_cast<int64_t>(q.item.source.size());
    longest = std::max<int64_t>(longest, static_cast<int64_t>(q.item.source.size()));
    reserved_rows_ += q.item.rows();
  }
  const int64_t padded_tokens = longest * static_cast<int64_t>(batch.size());
  counters_.batches.fetch_add(1);
  counters_.real_tokens.fetch_add(real_tokens);
  counters_.padded_tokens.fetch_add(padded_tokens);
  observer_->OnBatch(static_cast<int>(batch.size()), real_tokens, padded_tokens);

  // Tasks of at most one step's budget per encoder layer: each is done in
  // about two slices per layer, so its sentences join the decoder early,
  // while a slice's matrix products still cover enough rows to run at full
  // speed. A longer sentence makes a task of its own.
  const engine::EncodingTask::Output output = batch.front().item.kind == WorkItem::Kind::kEncode
                                                  ? engine::EncodingTask::Output::kStates
                                                  : engine::EncodingTask::Output::kSourceMemories;
  const int64_t budget =
      options_.max_encoder_tokens_per_step * std::max<int64_t>(1, model_.config().encoder_layers);
  size_t begin = 0;
  while (begin < batch.size()) {
    size_t end = begin;
    int64_t tokens = 0;
    while (end < batch.size()) {
      const int64_t length = static_cast<int64_t>(batch[end].item.source.size());
      if (budget > 0 && end > begin && tokens + length > budget) break;
      tokens += length;
      ++end;
    }
    Pending pending;
    std::vector<std::vector<int32_t>> sources;
    for (size_t i = begin; i < end; ++i) {
      sources.push_back(batch[i].item.source);
      pending.items.push_back(std::move(batch[i]));
    }
    if (idle_workspaces_.empty()) {
      pending.workspace = std::make_unique<engine::EncodingWorkspace>();
    } else {
      pending.workspace = std::move(idle_workspaces_.back());
      idle_workspaces_.pop_back();
    }
    pending.task = model_.StartEncoding(sources, output, pending.workspace.get());
    pending.answered.assign(pending.items.size(), false);
    pending.open = static_cast<int>(pending.items.size());
    pending.order = next_order_++;
    pending.tokens = tokens;
    pending_tokens_ += tokens;
    pending_.push_back(std::move(pending));
    counters_.encoder_tasks.fetch_add(1);
    begin = end;
  }
}

void Scheduler::RunEncoders() {
  counters_.encoder_slices.fetch_add(1);
  if (options_.max_encoder_tokens_per_step <= 0) {
    for (Pending& pending : pending_) pending.task->Finish();
  } else {
    // Least work left first; the oldest task keeps a quarter of the budget.
    std::vector<size_t> order(pending_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [this](size_t a, size_t b) {
      return pending_[a].task->remaining() < pending_[b].task->remaining();
    });
    size_t oldest = 0;
    for (size_t i = 1; i < pending_.size(); ++i) {
      if (pending_[i].order < pending_[oldest].order) oldest = i;
    }
    double budget = static_cast<double>(options_.max_encoder_tokens_per_step);
    if (options_.encoder_budget_follows_step && encoder_seconds_per_token_ > 0) {
      budget = std::max(budget, last_step_seconds_ / encoder_seconds_per_token_);
    }
    const absl::Time start = absl::Now();
    double left = budget;
    double reserve = std::min(pending_[oldest].task->remaining(), left / 4);
    for (size_t i : order) {
      const double allowance = i == oldest ? left : left - reserve;
      if (allowance <= 0) continue;
      left -= pending_[i].task->Run(allowance);
      if (i == oldest) reserve = 0;
    }
    if (left == budget) {
      // Not even one row fits (a budget below one row's cost, possible only
      // for tiny models with long inputs): one row, so the work still ends.
      engine::EncodingTask& task = *pending_[order.front()].task;
      left -= task.Run(task.max_row_cost());
    }
    const double spent = budget - left;
    if (spent > counters_.max_encoder_tokens_in_a_step.load()) {
      counters_.max_encoder_tokens_in_a_step.store(spent);
    }
    if (spent >= 1) {
      const double per_token = absl::ToDoubleSeconds(absl::Now() - start) / spent;
      encoder_seconds_per_token_ = encoder_seconds_per_token_ == 0
                                       ? per_token
                                       : 0.8 * encoder_seconds_per_token_ + 0.2 * per_token;
    }
  }
  // Hand on what is done, oldest first.
  std::vector<Pending> still;
  for (Pending& pending : pending_) {
    if (pending.task->done()) {
      FinishEncoding(pending);
    } else {
      still.push_back(std::move(pending));
    }
  }
  pending_ = std::move(still);
}

void Scheduler::FinishEncoding(Pending& pending) {
  engine::EncodingTask& task = *pending.task;
  pending_tokens_ -= pending.tokens;
  for (size_t b = 0; b < pending.items.size(); ++b) {
    if (pending.answered[b]) continue;
    Queued& q = pending.items[b];
    if (q.item.kind == WorkItem::Kind::kEncode) {
      ItemResult result;
      result.embedding = model_.Pool(task.states(static_cast<int64_t>(b)),
                                     task.length(static_cast<int64_t>(b)), q.item.pooling,
                                     q.item.normalize);
      result.trace = q.trace;
      result.trace.finished = absl::Now();
      Complete(q.item, std::move(result));
      continue;
    }
    // The memory owns its rows (the task copied them out of the
    // workspace): a held sentence keeps it after the workspace is reused.
    JoinOrHold(std::move(q), task.memory(static_cast<int64_t>(b)));
  }
  ReuseWorkspace(pending);
}

void Scheduler::JoinOrHold(Queued queued, std::shared_ptr<const engine::SourceMemory> memory) {
  const std::shared_ptr<JoinGroup> group = queued.item.join_group;
  if (group == nullptr) {
    JoinLiveSet(std::move(queued), std::move(memory));
    return;
  }
  held_.push_back(Held{std::move(queued), std::move(memory)});
  if (--group->unencoded == 0) JoinHeld(group.get());
}

void Scheduler::StopWaitingFor(const WorkItem& item) {
  JoinGroup* group = item.join_group.get();
  if (group != nullptr && --group->unencoded == 0) JoinHeld(group);
}

void Scheduler::JoinHeld(const JoinGroup* group) {
  std::vector<Held> still;
  for (Held& held : held_) {
    if (group == nullptr || held.queued.item.join_group.get() == group) {
      JoinLiveSet(std::move(held.queued), std::move(held.memory));
    } else {
      still.push_back(std::move(held));
    }
  }
  held_ = std::move(still);
}

void Scheduler::JoinLiveSet(Queued queued, std::shared_ptr<const engine::SourceMemory> memory) {
  // Its rows were reserved when it left the queue.
  const engine::JobId job = generator_->Add(std::move(memory), queued.item.decoding);
  Live live{std::move(queued.item), queued.trace, absl::Now()};
  live.trace.joined_at_step = generator_->steps();
  live_.emplace(job, std::move(live));
}

void Scheduler::ReuseWorkspace(Pending& pending) {
  pending.task.reset();
  if (pending.workspace != nullptr) idle_workspaces_.push_back(std::move(pending.workspace));
}

void Scheduler::DropExpiredPending() {
  if (pending_.empty()) return;
  const absl::Time now = absl::Now();
  bool emptied = false;
  for (Pending& pending : pending_) {
    for (size_t b = 0; b < pending.items.size(); ++b) {
      if (pending.answered[b]) continue;
      WorkItem& item = pending.items[b].item;
      const std::optional<DropReason> reason = ShouldDrop(item, now);
      if (!reason) continue;
      pending.answered[b] = true;
      --pending.open;
      reserved_rows_ -= item.rows();
      Drop(item, *reason, {});
      StopWaitingFor(item);
    }
    emptied = emptied || pending.open == 0;
  }
  if (!emptied) return;
  // Nobody waits for these any more: stop encoding them.
  std::vector<Pending> still;
  for (Pending& pending : pending_) {
    if (pending.open == 0) {
      pending_tokens_ -= pending.tokens;
      ReuseWorkspace(pending);
    } else {
      still.push_back(std::move(pending));
    }
  }
  pending_ = std::move(still);
}

void Scheduler::DropExpiredHeld() {
  if (held_.empty()) return;
  const absl::Time now = absl::Now();
  std::vector<Held> still;
  for (Held& held : held_) {
    WorkItem& item = held.queued.item;
    if (const std::optional<DropReason> reason = ShouldDrop(item, now)) {
      // Already counted as encoded: its group waits for the others only.
      reserved_rows_ -= item.rows();
      Drop(item, *reason, {});
    } else {
      still.push_back(std::move(held));
    }
  }
  held_ = std::move(still);
}

void Scheduler::DecodeStep() {
  std::vector<engine::Generator::TokenEvent> tokens;
  std::vector<engine::Generator::FinishedJob> finished;
  const absl::Time start = absl::Now();
  generator_->Step(&tokens, &finished);
  counters_.steps.fetch_add(1);
  const absl::Time now = absl::Now();
  last_step_seconds_ = absl::ToDoubleSeconds(now - start);
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
  const int rows = generator_ ? generator_->live_rows() : 0;
  const int sequences = live_jobs();
  int encoding = 0;
  for (const Pending& pending : pending_) encoding += pending.open;
  counters_.live_rows.store(rows);
  counters_.live_sequences.store(sequences);
  counters_.pooled_caches.store(generator_ ? generator_->pooled_caches() : 0);
  counters_.encoding_sentences.store(encoding);
  counters_.held_sentences.store(static_cast<int>(held_.size()));
  // Every iteration, not only after a decoder step: sentences cancelled or
  // expired leave the live set after the step, and an idle server runs none.
  observer_->OnLiveSet(rows, sequences);
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
  s.encoder_tasks = counters_.encoder_tasks.load();
  s.encoder_slices = counters_.encoder_slices.load();
  s.encoding_sentences = counters_.encoding_sentences.load();
  s.held_sentences = counters_.held_sentences.load();
  s.max_encoder_tokens_in_a_step = counters_.max_encoder_tokens_in_a_step.load();
  std::lock_guard lock(mutex_);
  s.queued_sentences = static_cast<int>(queue_.size());
  s.queued_tokens = queued_tokens_;
  return s;
}

}  // namespace tserve::server
