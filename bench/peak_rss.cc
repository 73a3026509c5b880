#include "bench/peak_rss.h"

#include <sys/resource.h>

namespace tserve::bench {

int64_t PeakRssBytes() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<int64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

}  // namespace tserve::bench
