#include "engine/core/dnnl_context.h"

#include <omp.h>

namespace tserve::engine {

const dnnl::engine& CpuEngine() {
  static const dnnl::engine* engine = new dnnl::engine(dnnl::engine::kind::cpu, 0);
  return *engine;
}

dnnl::stream& ThreadStream() {
  thread_local dnnl::stream stream(CpuEngine());
  return stream;
}

void SetIntraOpThreads(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
}

}  // namespace tserve::engine
