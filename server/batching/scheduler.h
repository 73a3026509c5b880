#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "engine/engine.h"
#include "server/batching/scheduler_observer.h"
#include "server/batching/work_item.h"

namespace tserve::server {

struct SchedulerOptions {
  // Admission queue bounds: a request that would exceed either is rejected whole.
  int max_queue_sentences = 1024;
  int64_t max_queue_tokens = 262144;
  // Encoder batches.
  int max_batch_size = 32;
  int64_t max_batch_tokens = 8192;
  // How long an idle engine waits for a batch to fill before encoding it.
  absl::Duration max_queue_delay = absl::Milliseconds(5);
  bool group_by_length = true;
  // Upper bound on a batch's padded/real token ratio when grouping by length
  // (an item that would push the batch past it waits for a later batch).
  double max_padding_ratio = 1.15;
  // Decoder rows decoding at once (a beam of 4 is 4 rows).
  int max_live_rows = 256;
  // Intra-op threads of the engine thread; 0 = all cores.
  int threads = 0;
  // Static batching, for comparison only: a batch joins the decoder only once
  // the previous batch has completely finished.
  bool static_batching = false;
  // Most encoder work between two decoder steps, in source tokens (one token
  // through every encoder layer; attention over long sources counts extra).
  // Longer encodes are split across sentences and, for a long sentence,
  // across layers and rows, and interleaved with decoder steps. 0: no bound
  // (a whole batch is encoded at once).
  int64_t max_encoder_tokens_per_step = 32;
  // Lets the encoder work between two steps grow to what the encoder does in
  // the time of the last decoder step, when that is more than the budget: a
  // step over a large live set already takes that long, so smaller pieces
  // would bring tokens hardly sooner but cost throughput (sentences would
  // join the live set later). The stall is then at most one step's time.
  bool encoder_budget_follows_step = true;
};

// Counters since start; a consistent-enough snapshot for tests and metrics.
struct SchedulerStats {
  int64_t admitted = 0;
  int64_t rejected = 0;
  int64_t batches = 0;
  int64_t steps = 0;
  int64_t completed = 0;
  int64_t dropped_deadline = 0;
  int64_t dropped_cancelled = 0;
  int64_t dropped_shutdown = 0;
  int queued_sentences = 0;
  int64_t queued_tokens = 0;
  int live_rows = 0;
  int live_sequences = 0;
  int pooled_caches = 0;
  int64_t real_tokens = 0;    // encoder tokens of all batches
  int64_t padded_tokens = 0;  // batch × longest, summed over batches
  int64_t encoder_tasks = 0;  // encoding tasks the batches were cut into
  int64_t encoder_slices = 0;  // loop iterations that ran encoder work
  int encoding_sentences = 0;  // sentences being encoded now
  // Sentences encoded and waiting for the rest of their request to be
  // encoded before joining the live set (WorkItem::join_group); counted
  // neither as encoding nor as live.
  int held_sentences = 0;
  // The most encoder work one loop iteration did, in tokens.
  double max_encoder_tokens_in_a_step = 0;
};

// The batching scheduler of one model: a bounded admission queue, an encoder
// batch former, and one continuous decoder loop, all driven by a single
// engine thread. Between two decoder steps the thread admits newly encoded
// sentences into the live set, so no sentence waits for the longest one in
// its batch; encoder work and decoder steps alternate on the same cores
// instead of competing for them.
//
// Encoder work is bounded per step (max_encoder_tokens_per_step): a batch is
// cut into encoding tasks of at most that many tokens per encoder layer (a
// longer sentence is a task of its own), each sliced across layers and rows,
// and each loop iteration
// spends at most the budget on them, the task with the least work left
// first (the oldest task is always given a quarter of the budget, so none
// starves). A short request that arrives while a long one is being encoded
// is encoded at the next iteration and decodes beside it; streams keep
// producing tokens. Results do not depend on the slicing (bit-identical).
//
// The sentences of one request without a stream (WorkItem::join_group)
// still join the live set together: a sentence whose encoding is done is
// held, with its source memory, until every other sentence of its request
// not yet answered is encoded too, and then all of them join in the same
// iteration. Joining one by one as their tasks finish, a long request would
// decode in more steps of fewer rows each, which costs it CPU time and
// throughput. Holding changes no admission (the rows of a sentence are
// reserved when it leaves the queue), and a held sentence is still dropped
// at its deadline or cancellation. Should the queue's oldest sentence wait
// for rows that only held sentences occupy (a request needing more rows than
// the live set has), the held sentences join at once instead. Stream items
// and requests of one sentence join as soon as they are encoded.
class Scheduler {
 public:
  Scheduler(const engine::TranslationModel& model, SchedulerOptions options,
            SchedulerObserver* observer = nullptr);
  ~Scheduler();

  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Admits all items or none: RESOURCE_EXHAUSTED when the queue cannot take
  // them, UNAVAILABLE when draining. On success every item's on_done will be
  // called exactly once.
  absl::Status Submit(std::vector<WorkItem> items);

  // Stops admitting and waits until every admitted item is done or `deadline`
  // passes. True when everything finished.
  bool Drain(absl::Time deadline);

  // Ends the engine thread; items still queued or decoding fail UNAVAILABLE.
  void Stop();

  SchedulerStats Stats() const;
  const SchedulerOptions& options() const { return options_; }

 private:
  struct Queued {
    WorkItem item;
    ItemTrace trace;
  };
  struct Live {
    WorkItem item;
    ItemTrace trace;
    absl::Time last_token;
  };
  // An encoding task and the items it encodes (item b is the task's source b).
  struct Pending {
    // The task's buffers (declared first: they outlive the task), back to
    // idle_workspaces_ when it is done.
    std::unique_ptr<engine::EncodingWorkspace> workspace;
    std::unique_ptr<engine::EncodingTask> task;
    std::vector<Queued> items;
    std::vector<bool> answered;  // dropped while encoding
    int open = 0;                // items not answered
    int64_t order = 0;           // formation order: lower is older
    int64_t tokens = 0;
  };
  // A sentence encoded before the rest of its join group. Its source memory
  // owns its data (the task copies each sentence's rows out of the
  // workspace), so the task and workspace are released as usual.
  struct Held {
    Queued queued;
    std::shared_ptr<const engine::SourceMemory> memory;
  };

  void Run();
  // Takes the next batch off the queue, waiting as the options say. Returns
  // false when the thread should exit. Sets `queue_needs_held_rows` when the queue's
  // oldest sentence waits for decoder rows that only held sentences occupy.
  bool NextBatch(std::vector<Queued>& batch, std::vector<Queued>& dropped, bool& queue_needs_held_rows);
  // Cuts a batch into encoding tasks and adds them to pending_.
  void StartEncoding(std::vector<Queued>& batch);
  // Spends one step's encoder budget on pending_ and hands on what is done.
  void RunEncoders();
  void FinishEncoding(Pending& pending);
  // An encoded translate item: joins the live set now, or is held until the
  // rest of its join group is encoded.
  void JoinOrHold(Queued queued, std::shared_ptr<const engine::SourceMemory> memory);
  // For an item answered before it was encoded: its join group stops
  // waiting for it.
  void StopWaitingFor(const WorkItem& item);
  // Moves the held members of `group` (all held sentences when null) into
  // the live set.
  void JoinHeld(const JoinGroup* group);
  void JoinLiveSet(Queued queued, std::shared_ptr<const engine::SourceMemory> memory);
  // Ends `pending`'s task and keeps its workspace for the next one.
  void ReuseWorkspace(Pending& pending);
  void DecodeStep();
  void DropExpiredLive();
  void DropExpiredPending();
  void DropExpiredHeld();
  void Complete(WorkItem& item, absl::StatusOr<ItemResult> result);
  void Drop(WorkItem& item, DropReason reason, absl::Status status);
  // Why a queued or live item should stop now, if it should.
  static std::optional<DropReason> ShouldDrop(const WorkItem& item, absl::Time now);
  int free_rows() const { return options_.max_live_rows - reserved_rows_; }
  // Sequences decoding now; none for a model without a decoder (no generator).
  int live_jobs() const { return generator_ ? generator_->live_jobs() : 0; }
  // Publishes the live set's size to the counters and the observer.
  void PublishGauges();

  const engine::TranslationModel& model_;
  const SchedulerOptions options_;
  SchedulerObserver* const observer_;
  SchedulerObserver null_observer_;

  // std::mutex rather than absl::Mutex: the packaged Abseil is built without
  // ThreadSanitizer annotations, and this class is tested under TSan.
  mutable std::mutex mutex_;
  std::condition_variable queue_changed_;
  // Guarded by mutex_:
  std::deque<Queued> queue_;
  int64_t queued_tokens_ = 0;
  bool draining_ = false;
  bool stopping_ = false;

  // Engine-thread state. Null for an encoder-only model (Encode items only).
  std::unique_ptr<engine::Generator> generator_;
  absl::flat_hash_map<engine::JobId, Live> live_;
  // Decoder rows that live items and items being encoded may occupy.
  int reserved_rows_ = 0;
  std::vector<Pending> pending_;
  // Workspaces of finished tasks, for the next ones: a long batch's buffers
  // are tens of megabytes, which allocating anew for every batch would
  // page-fault in again. At most as many as tasks ever ran at once.
  std::vector<std::unique_ptr<engine::EncodingWorkspace>> idle_workspaces_;
  int64_t pending_tokens_ = 0;  // source tokens of pending_'s tasks
  // Encoded sentences waiting for their join groups, in the order they were
  // encoded. Bounded like the live set: each has its decoder rows reserved,
  // and its source memory is what it will keep while it decodes.
  std::vector<Held> held_;
  int64_t next_order_ = 0;
  // Measured: the last decoder step's time, and the encoder's seconds per
  // token (a moving average; 0 until measured).
  double last_step_seconds_ = 0;
  double encoder_seconds_per_token_ = 0;

  // Counters readable from any thread.
  struct Counters {
    std::atomic<int64_t> admitted{0}, rejected{0}, batches{0}, steps{0}, completed{0};
    std::atomic<int64_t> dropped_deadline{0}, dropped_cancelled{0}, dropped_shutdown{0};
    std::atomic<int> live_rows{0}, live_sequences{0}, pooled_caches{0};
    std::atomic<int64_t> real_tokens{0}, padded_tokens{0};
    std::atomic<int64_t> encoder_tasks{0}, encoder_slices{0};
    std::atomic<int> encoding_sentences{0}, held_sentences{0};
    std::atomic<double> max_encoder_tokens_in_a_step{0};
    // Admitted items whose on_done has not run yet.
    std::atomic<int64_t> outstanding{0};
  } counters_;

  std::thread thread_;
};

}  // namespace tserve::server
