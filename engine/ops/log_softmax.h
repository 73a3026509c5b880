#pragma once

#include <cstdint>

namespace tserve::engine {

// Row-wise log-softmax over a [rows, width] matrix, in place:
// x − max − log Σ e^(x − max), each row on its own (the same result whatever
// else is in the batch), rows shared by the OpenMP team when there are
// enough. Entries equal to -inf stay -inf (probability zero).
class LogSoftmax {
 public:
  explicit LogSoftmax(int64_t width) : width_(width) {}
  void ForwardInPlace(float* x, int64_t rows) const;

 private:
  int64_t width_;
};

}  // namespace tserve::engine
