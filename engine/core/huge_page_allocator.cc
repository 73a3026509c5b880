#include "engine/core/huge_page_allocator.h"

#include <sys/mman.h>

#include <cstdlib>

namespace tserve::engine {
namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

}  // namespace

void* AllocateHugePageBacked(std::size_t bytes) {
  if (bytes < kHugePage) {
    void* p = std::malloc(bytes == 0 ? 1 : bytes);
    if (p == nullptr) throw std::bad_alloc();
    return p;
  }
  const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* p = std::aligned_alloc(kHugePage, rounded);
  if (p == nullptr) throw std::bad_alloc();
  // Before the first touch, so the pages are huge from the start; failure
  // (no THP in this kernel) only costs the speed-up.
  madvise(p, rounded, MADV_HUGEPAGE);
  return p;
}

void FreeHugePageBacked(void* p) noexcept { std::free(p); }

}  // namespace tserve::engine
