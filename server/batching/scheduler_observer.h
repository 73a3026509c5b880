#pragma once

#include <cstdint>

#include "absl/time/time.h"

namespace tserve::server {

enum class DropReason { kDeadline, kCancelled, kShutdown };

// Hooks through which the scheduler reports what it does; the metrics layer
// implements them. Called on the engine thread (or a submitting thread for
// admission events); implementations must be thread-safe and quick.
class SchedulerObserver {
 public:
  virtual ~SchedulerObserver() = default;

  virtual void OnAdmitted(int sentences, int64_t tokens) {}
  virtual void OnRejected(int sentences) {}
  // An encoder batch: sentences, real tokens and padded tokens (batch × longest).
  virtual void OnBatch(int sentences, int64_t real_tokens, int64_t padded_tokens) {}
  virtual void OnQueueWait(absl::Duration wait) {}
  virtual void OnFirstToken(absl::Duration since_enqueued) {}
  virtual void OnToken(absl::Duration since_previous) {}
  // The live set's size, reported at every turn of the engine loop (after a
  // decoder step, and after cancelled or expired sentences left it).
  virtual void OnLiveSet(int live_rows, int live_sequences) {}
  virtual void OnQueueDepth(int sentences, int64_t tokens) {}
  virtual void OnDropped(DropReason reason) {}
};

}  // namespace tserve::server
