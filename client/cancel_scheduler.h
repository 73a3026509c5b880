#ifndef TSERVE_CLIENT_CANCEL_SCHEDULER_H_
#define TSERVE_CLIENT_CANCEL_SCHEDULER_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "client/call_cancellation.h"

namespace tserve::client {

// Cancels calls at given times, from one background thread, so that a
// synchronous call can be cancelled mid-flight while its own thread waits
// for the answer.
class CancelScheduler {
 public:
  CancelScheduler();
  // Stops the thread; cancellations still pending are dropped.
  ~CancelScheduler();
  CancelScheduler(const CancelScheduler&) = delete;
  CancelScheduler& operator=(const CancelScheduler&) = delete;

  // Calls cancellation->Cancel() at `when` (at once when it has passed).
  void CancelAt(std::shared_ptr<CallCancellation> cancellation, absl::Time when);

 private:
  struct Pending {
    absl::Time when;
    std::shared_ptr<CallCancellation> cancellation;
    // Orders the queue soonest first.
    bool operator>(const Pending& other) const { return when > other.when; }
  };

  void Loop();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> pending_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tserve::client

#endif  // TSERVE_CLIENT_CANCEL_SCHEDULER_H_
