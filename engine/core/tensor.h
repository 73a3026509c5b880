#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>

namespace tserve::engine {

// A float32 buffer with a shape of up to four dimensions, 64-byte aligned.
//
// Resize() keeps the allocation whenever the new size fits in it, so a tensor
// reused across decoder steps stops allocating once it has held the largest
// batch it will see.
class Tensor {
 public:
  static constexpr int kMaxRank = 4;

  Tensor() = default;
  explicit Tensor(std::initializer_list<int64_t> shape) { Resize(shape); }
  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(Tensor&&) noexcept = default;

  void Resize(std::initializer_list<int64_t> shape);
  // Resize() and set every element to zero.
  void ResizeZeroed(std::initializer_list<int64_t> shape);

  float* data() { return buffer_.get(); }
  const float* data() const { return buffer_.get(); }
  int rank() const { return rank_; }
  int64_t dim(int i) const { return shape_[i]; }
  int64_t numel() const { return numel_; }
  int64_t capacity() const { return capacity_; }

 private:
  struct FreeDeleter {
    void operator()(float* p) const;
  };

  std::array<int64_t, kMaxRank> shape_{};
  int rank_ = 0;
  int64_t numel_ = 0;
  int64_t capacity_ = 0;
  std::unique_ptr<float, FreeDeleter> buffer_;
};

}  // namespace tserve::engine
