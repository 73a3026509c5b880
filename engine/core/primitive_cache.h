#pragma once

#include <cstdint>
#include <functional>
#include <utility>

#include <mutex>

#include "absl/container/flat_hash_map.h"

namespace tserve::engine {

// oneDNN primitives keyed by the one dimension that varies between calls of an
// op (the number of rows). Creating a primitive costs far more than running a
// small one, so each op creates one per distinct row count and reuses it.
// Safe to share between threads: oneDNN primitives may execute concurrently.
// A std::mutex rather than absl::Mutex: the packaged Abseil is built without
// ThreadSanitizer annotations, and the concurrency tests run under TSan.
template <typename Primitive>
class PrimitiveCache {
 public:
  // Returns a copy: primitives are reference-counted handles, and a copy stays
  // valid when another thread's insertion rehashes the map.
  Primitive Get(int64_t rows, const std::function<Primitive(int64_t)>& create) const {
    {
      std::lock_guard lock(mutex_);
      auto it = cache_.find(rows);
      if (it != cache_.end()) return it->second;
    }
    Primitive primitive = create(rows);
    std::lock_guard lock(mutex_);
    return cache_.try_emplace(rows, std::move(primitive)).first->second;
  }

 private:
  mutable std::mutex mutex_;
  mutable absl::flat_hash_map<int64_t, Primitive> cache_;
};

}  // namespace tserve::engine
