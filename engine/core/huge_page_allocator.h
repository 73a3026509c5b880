#pragma once

#include <cstddef>
#include <new>
#include <vector>

namespace tserve::engine {

// Allocates large blocks (2 MiB or more) on 2 MiB boundaries and asks the
// kernel to back them with transparent huge pages (madvise; a no-op where
// they are disabled). Smaller blocks come from malloc as usual.
//
// For the packed weights: a decoder step streams every weight matrix from
// memory, hundreds of MB, and with 4 KiB pages each page costs a TLB miss
// and page walk. Measured on the OPUS-MT-sized model, one sentence at a
// time (engine_bench --batch_size=1): float32 135–139 → 157–170 target
// tokens/s; batches of 32 unchanged (bench/RESULTS.md, 11:25 section).
void* AllocateHugePageBacked(std::size_t bytes);
void FreeHugePageBacked(void* p) noexcept;

template <typename T>
struct HugePageAllocator {
  using value_type = T;

  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}  // NOLINT: allocator rebinding

  T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(AllocateHugePageBacked(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t) noexcept { FreeHugePageBacked(p); }

  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const noexcept {
    return true;
  }
};

template <typename T>
using HugePageVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace tserve::engine
