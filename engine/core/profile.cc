#include "engine/core/profile.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>

namespace tserve::engine {
namespace {

std::atomic<bool> enabled{false};

struct Totals {
  int64_t calls = 0;
  int64_t nanoseconds = 0;
};

// Few labels, recorded from few threads: one lock is cheap enough for an
// opt-in profile, and keeps the totals exact.
std::mutex& ProfileMutex() {
  static std::mutex mutex;
  return mutex;
}
std::map<std::string, Totals>& ProfileTotals() {
  static auto* totals = new std::map<std::string, Totals>();
  return *totals;
}

}  // namespace

void SetProfiling(bool on) { enabled.store(on, std::memory_order_relaxed); }
bool ProfilingEnabled() { return enabled.load(std::memory_order_relaxed); }

void ResetProfile() {
  std::lock_guard lock(ProfileMutex());
  ProfileTotals().clear();
}

std::vector<ProfileEntry> ProfileSnapshot() {
  std::lock_guard lock(ProfileMutex());
  std::vector<ProfileEntry> entries;
  for (const auto& [label, totals] : ProfileTotals()) {
    entries.push_back({label, totals.calls, static_cast<double>(totals.nanoseconds) * 1e-9});
  }
  return entries;
}

namespace internal {

void RecordProfile(const char* label, int64_t nanoseconds) {
  std::lock_guard lock(ProfileMutex());
  Totals& totals = ProfileTotals()[label];
  ++totals.calls;
  totals.nanoseconds += nanoseconds;
}

int64_t ProfileClockNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace internal
}  // namespace tserve::engine
