#pragma once

#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace tserve::server {

// What the batch former needs to know of a queued item.
struct QueuedItemShape {
  int64_t length;  // source tokens
  int rows;        // decoder rows it will occupy (0 for encode items)
  int kind;        // items of different kinds never share a batch
};

struct BatchLimits {
  int max_batch_size;         // sentences
  int64_t max_batch_tokens;   // padded tokens: sentences × longest
  int free_rows;              // decoder rows still free in the live set
  bool group_by_length;       // prefer items of similar length
  // Largest padded/real token ratio a batch may reach by adding an item
  // (the oldest item always goes, even alone). <= 0 disables the bound.
  double max_padding_ratio = 0;
};

// Chooses the next encoder batch from a queue in arrival order and returns
// the chosen indices. The oldest item is always chosen first, so no item
// starves; the others are added closest length first (arrival order breaks
// ties; pure arrival order without length grouping) while the batch stays
// within the limits (size, padded tokens, decoder rows, padding ratio). The oldest item alone is taken even when it exceeds the
// token budget (a sentence cannot be split), but never when its decoder rows
// do not fit: then the result is empty and the caller waits for rows.
std::vector<size_t> SelectBatch(absl::Span<const QueuedItemShape> queue,
                                const BatchLimits& limits);

}  // namespace tserve::server
