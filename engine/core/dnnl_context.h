#pragma once

#include <oneapi/dnnl/dnnl.hpp>

namespace tserve::engine {

// The oneDNN CPU engine that every op runs on.
const dnnl::engine& CpuEngine();

// A stream for the calling thread. oneDNN CPU streams execute synchronously
// on the caller's thread (and its OpenMP team); one per thread keeps
// concurrent callers (encoder and decoder threads) independent.
dnnl::stream& ThreadStream();

// Sets how many OpenMP threads the ops started from the calling thread use.
// 0 leaves the runtime default (all cores).
void SetIntraOpThreads(int threads);

}  // namespace tserve::engine
