#include "engine/core/malloc_policy.h"

#include <malloc.h>

namespace tserve::engine {

void UseFixedMallocThresholds() { mallopt(M_MMAP_THRESHOLD, 128 * 1024); }

}  // namespace tserve::engine
