#pragma once

#include <cstdint>
#include <string>
#include <vector>

// An opt-in wall-clock profile of the engine: where a benchmark's time goes,
// by phase (encoder, decoder step, search) and by the ops inside them
// (products by layer kind, attention, layer norms). Off by default; when off
// a scope costs one relaxed atomic load. Scopes are timed on the thread that
// calls the op (the engine thread), around the op's whole parallel region,
// so the figures add up to that thread's time.
//
//   engine::SetProfiling(true);
//   ... run ...
//   for (const ProfileEntry& e : engine::ProfileSnapshot()) ...
namespace tserve::engine {

void SetProfiling(bool on);
bool ProfilingEnabled();
// Forgets what was recorded.
void ResetProfile();

struct ProfileEntry {
  std::string label;  // e.g. "decoder/products/ffn"
  int64_t calls = 0;
  double seconds = 0;
};
// Every label recorded, sorted by label.
std::vector<ProfileEntry> ProfileSnapshot();

namespace internal {
void RecordProfile(const char* label, int64_t nanoseconds);
int64_t ProfileClockNanos();
}  // namespace internal

// Times its own lifetime under `label` (a string literal or one that
// outlives the process's profile) while profiling is on.
class ProfileScope {
 public:
  explicit ProfileScope(const char* label)
      : label_(ProfilingEnabled() ? label : nullptr),
        start_(label_ != nullptr ? internal::ProfileClockNanos() : 0) {}
  ~ProfileScope() {
    if (label_ != nullptr) internal::RecordProfile(label_, internal::ProfileClockNanos() - start_);
  }
  ProfileScope(const ProfileScope&) = delete;
  ProfileScope& operator=(const ProfileScope&) = delete;

 private:
  const char* label_;
  int64_t start_;
};

}  // namespace tserve::engine
