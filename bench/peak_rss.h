#pragma once

#include <cstdint>

namespace tserve::bench {

// Peak resident set size of this process so far, in bytes (VmHWM).
int64_t PeakRssBytes();

}  // namespace tserve::bench
