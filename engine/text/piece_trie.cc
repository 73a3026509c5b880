#include "engine/text/piece_trie.h"

#include <algorithm>
#include <string_view>

namespace tserve::engine::spm {

PieceTrie::PieceTrie(const std::vector<std::pair<std::string_view, int32_t>>& keys) {
  // Sorted keys put the keys below any node next to each other, with its children in
  // label order; each node's edges are then appended in one go, so they are contiguous.
  std::vector<std::pair<std::string_view, int32_t>> sorted = keys;
  std::sort(sorted.begin(), sorted.end());

  // Keys [begin, end) share their first `depth` bytes and live below `node`. An
  // explicit stack, not recursion: a key may be long.
  struct Task {
    uint32_t node;
    size_t begin, end, depth;
  };
  nodes_.emplace_back();
  std::vector<Task> tasks = {{0, 0, sorted.size(), 0}};
  while (!tasks.empty()) {
    auto [node, begin, end, depth] = tasks.back();
    tasks.pop_back();
    if (begin < end && sorted[begin].first.size() == depth) {
      nodes_[node].value = sorted[begin].second;
      ++begin;
    }
    nodes_[node].first_edge = static_cast<uint32_t>(edges_.size());
    for (size_t i = begin; i < end;) {
      const char label = sorted[i].first[depth];
      size_t j = i + 1;
      while (j < end && sorted[j].first[depth] == label) ++j;
      const auto child = static_cast<uint32_t>(nodes_.size());
      nodes_.emplace_back();
      edges_.push_back({static_cast<uint8_t>(label), child});
      tasks.push_back({child, i, j, depth + 1});
      i = j;
    }
    nodes_[node].num_edges = static_cast<uint32_t>(edges_.size()) - nodes_[node].first_edge;
  }
}

int32_t PieceTrie::Find(std::string_view key) const {
  if (nodes_.empty()) return -1;
  uint32_t node = 0;
  for (char c : key) {
    const int32_t child = Child(node, static_cast<uint8_t>(c));
    if (child < 0) return -1;
    node = static_cast<uint32_t>(child);
  }
  return nodes_[node].value;
}

}  // namespace tserve::engine::spm
