#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/engine.h"

namespace tserve::server {

// Set by the RPC layer when the client cancels or goes away; read by the
// scheduler at every batch and every decoder step.
class CancellationFlag {
 public:
  void Cancel() { cancelled_.store(true, std::memory_order_release); }
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }

 private:
  std::atomic<bool> cancelled_{false};
};

// What happened to an item on its way through the scheduler, for metrics and
// for tests that count steps rather than wall time.
struct ItemTrace {
  absl::Time enqueued;
  absl::Time batched;            // left the queue in an encoder batch
  absl::Time first_token;        // translate: first generated token
  absl::Time finished;
  int64_t joined_at_step = -1;   // decoder step counter when it joined the live set
  int64_t finished_at_step = -1;
};

// The sentences of one request that join the decoder's live set together
// (a unary Translate of several texts). Its sentences are encoded in separate
// tasks that finish at different times; joining one by one, they would
// decode in more decoder steps of fewer rows each, which costs the request
// CPU time and throughput, and it is answered only when its last sentence
// is done anyway. Created with the request's sentence count; after Submit
// it is read and written by the engine thread only.
struct JoinGroup {
  explicit JoinGroup(int members) : unencoded(members) {}

  // Members neither encoded nor answered yet.
  int unencoded;
};

struct ItemResult {
  engine::GenerationResult translation;  // translate items
  std::vector<float> embedding;          // encode items
  ItemTrace trace;
};

// One sentence to translate or encode. A request of several sentences is
// several items admitted together.
struct WorkItem {
  enum class Kind { kTranslate, kEncode };

  Kind kind = Kind::kTranslate;
  std::vector<int32_t> source;  // token ids, eos included

  engine::DecodingOptions decoding;  // kTranslate; already validated
  engine::Pooling pooling = engine::Pooling::kMean;  // kEncode
  bool normalize = false;                            // kEncode

  absl::Time deadline = absl::InfiniteFuture();
  std::shared_ptr<const CancellationFlag> cancellation;  // may be null

  // Called on the engine thread for each token of hypothesis 0 (greedy and
  // sampling only); keep it short. May be empty.
  std::function<void(const engine::StreamedToken&)> on_token;
  // Called exactly once, on the engine thread or the submitting thread,
  // with the result or the reason there is none (DEADLINE_EXCEEDED,
  // CANCELLED, UNAVAILABLE at shutdown).
  std::function<void(absl::StatusOr<ItemResult>)> on_done;

  // kTranslate items without on_token only (a stream's tokens must not wait
  // for other sentences): the request's sentences, all admitted in one
  // Submit, that join the decoder together. Null: joins once encoded.
  std::shared_ptr<JoinGroup> join_group;

  // Decoder rows this item occupies while decoding.
  int rows() const {
    if (kind == Kind::kEncode) return 0;
    return decoding.sampling() ? decoding.num_hypotheses : decoding.beam_size;
  }
};

}  // namespace tserve::server
