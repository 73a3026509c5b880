#pragma once

#include <cstdint>

#include <oneapi/dnnl/dnnl.hpp>

#include "engine/core/primitive_cache.h"

namespace tserve::engine {

// Row-wise log-softmax over a [rows, width] matrix, in place, on oneDNN's
// logsoftmax primitive. Entries equal to -inf stay -inf (probability zero).
class LogSoftmax {
 public:
  explicit LogSoftmax(int64_t width) : width_(width) {}

  void ForwardInPlace(float* x, int64_t rows) const;

 private:
  int64_t width_;
  PrimitiveCache<dnnl::logsoftmax_forward> primitives_;
};

}  // namespace tserve::engine
