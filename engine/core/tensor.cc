#include "engine/core/tensor.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace tserve::engine {

void Tensor::FreeDeleter::operator()(float* p) const { std::free(p); }

void Tensor::Resize(std::initializer_list<int64_t> shape) {
  rank_ = 0;
  numel_ = 1;
  for (int64_t d : shape) {
    shape_[rank_++] = d;
    numel_ *= d;
  }
  if (numel_ <= capacity_) return;
  // Round up to whole cache lines; aligned_alloc wants a multiple of the alignment.
  const size_t bytes = ((static_cast<size_t>(numel_) * sizeof(float) + 63) / 64) * 64;
  float* p = static_cast<float*>(std::aligned_alloc(64, bytes));
  if (p == nullptr) throw std::bad_alloc();
  buffer_.reset(p);
  capacity_ = static_cast<int64_t>(bytes / sizeof(float));
}

void Tensor::ResizeZeroed(std::initializer_list<int64_t> shape) {
  Resize(shape);
  std::memset(data(), 0, static_cast<size_t>(numel_) * sizeof(float));
}

}  // namespace tserve::engine
