#include "server/batching/batch_former.h"

#include <algorithm>
#include <cstdlib>
#include <numeric>

namespace tserve::server {

std::vector<size_t> SelectBatch(absl::Span<const QueuedItemShape> queue,
                                const BatchLimits& limits) {
  std::vector<size_t> chosen;
  if (queue.empty() || queue[0].rows > limits.free_rows) return chosen;

  const QueuedItemShape& oldest = queue[0];
  std::vector<size_t> order(queue.size() - 1);
  std::iota(order.begin(), order.end(), 1);
  if (limits.group_by_length) {
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return std::llabs(queue[a].length - oldest.length) <
             std::llabs(queue[b].length - oldest.length);
    });
  }

  chosen.push_back(0);
  int64_t longest = oldest.length;
  int64_t real = oldest.length;
  int rows = oldest.rows;
  for (size_t i : order) {
    if (static_cast<int>(chosen.size()) >= limits.max_batch_size) break;
    const QueuedItemShape& item = queue[i];
    if (item.kind != oldest.kind) continue;
    const int64_t new_longest = std::max(longest, item.length);
    const int64_t padded = new_longest * static_cast<int64_t>(chosen.size() + 1);
    if (padded > limits.max_batch_tokens || rows + item.rows > limits.free_rows) continue;
    if (limits.max_padding_ratio > 0 &&
        static_cast<double>(padded) >
            limits.max_padding_ratio * static_cast<double>(real + item.length)) {
      continue;
    }
    chosen.push_back(i);
    real += item.length;
    longest = new_longest;
    rows += item.rows;
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

}  // namespace tserve::server
