#include "client/cancel_scheduler.h"

#include <chrono>
#include <utility>

#include "absl/time/clock.h"

namespace tserve::client {

CancelScheduler::CancelScheduler() : thread_([this] { Loop(); }) {}

CancelScheduler::~CancelScheduler() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void CancelScheduler::CancelAt(std::shared_ptr<CallCancellation> cancellation, absl::Time when) {
  {
    std::lock_guard lock(mutex_);
    pending_.push(Pending{when, std::move(cancellation)});
  }
  changed_.notify_all();
}

void CancelScheduler::Loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (pending_.empty()) {
      changed_.wait(lock);
      continue;
    }
    const absl::Time when = pending_.top().when;
    if (absl::Now() < when) {
      // A new, sooner entry or the destructor wakes the wait early.
      changed_.wait_until(lock, absl::ToChronoTime(when));
      continue;
    }
    std::shared_ptr<CallCancellation> due = pending_.top().cancellation;
    pending_.pop();
    // Cancel() takes the cancellation's own lock and gRPC's; neither ever
    // waits for this one, but there is no reason to hold it meanwhile.
    lock.unlock();
    due->Cancel();
    lock.lock();
  }
}

}  // namespace tserve::client
