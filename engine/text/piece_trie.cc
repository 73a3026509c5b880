#include "engine/text/piece_trie.h"

#include <algorithm>
#include <string_view>

namespace tserve::engine::spm {

PieceTrie::PieceTrie(const std::vector<std::pair<std::string_view, int32_t>>& keys) {
  // Sorted keys put every node's children next to each other in label order, so the
  // trie is built depth-first with each node's edges contiguous.
  std::vector<std::pair<std::string_view, int32_t>> sorted = keys;
  std::sort(sorted.begin(), sorted.end());

  // Builds the subtree of keys [begin, end), which share their first `depth` bytes, at
  // node `node`.
  struct Builder {
    PieceTrie& trie;
    const std::vector<std::pair<std::string_view, int32_t>>& keys;

    void Build(uint32_t node, size_t begin, size_t end, size_t depth) {
      if (begin < end && keys[begin].first.size() == depth) {
        trie.nodes_[node].value = keys[begin].second;
        ++begin;
      }
      // One edge per distinct byte at `depth`, then each child's subtree.
      std::vector<std::pair<size_t, size_t>> ranges;
      for (size_t i = begin; i < end;) {
        const char label = keys[i].first[depth];
        size_t j = i + 1;
        while (j < end && keys[j].first[depth] == label) ++j;
        ranges.emplace_back(i, j);
        i = j;
      }
      trie.nodes_[node].first_edge = static_cast<uint32_t>(trie.edges_.size());
      trie.nodes_[node].num_edges = static_cast<uint32_t>(ranges.size());
      const uint32_t first_child = static_cast<uint32_t>(trie.nodes_.size());
      for (const auto& [b, e] : ranges) {
        trie.edges_.push_back({static_cast<uint8_t>(keys[b].first[depth]),
                               static_cast<uint32_t>(trie.nodes_.size())});
        trie.nodes_.emplace_back();
      }
      for (size_t k = 0; k < ranges.size(); ++k) {
        Build(first_child + static_cast<uint32_t>(k), ranges[k].first, ranges[k].second,
              depth + 1);
      }
    }
  };
  nodes_.emplace_back();
  Builder{*this, sorted}.Build(0, 0, sorted.size(), 0);
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

