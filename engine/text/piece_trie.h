// A byte trie over a fixed set of pieces, answering "which pieces are prefixes of
// this text" in one walk. SentencePiece keeps its pieces in a Darts double array for
// the same question; the answers (and their shortest-first order) are the same.
#ifndef TSERVE_ENGINE_TEXT_PIECE_TRIE_H_
#define TSERVE_ENGINE_TEXT_PIECE_TRIE_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace tserve::engine::spm {

class PieceTrie {
 public:
  PieceTrie() = default;
  // Keys must be distinct and not empty; each maps to its value (>= 0).
  explicit PieceTrie(const std::vector<std::pair<std::string_view, int32_t>>& keys);

  bool empty() const { return nodes_.size() <= 1; }

  // Calls on_match(length, value) for every key that is a prefix of `text`, shortest
  // first.
  template <typename OnMatch>
  void ForEachPrefix(std::string_view text, OnMatch on_match) const {
    if (nodes_.empty()) return;
    uint32_t node = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      const int32_t child = Child(node, static_cast<uint8_t>(text[i]));
      if (child < 0) return;
      node = static_cast<uint32_t>(child);
      if (nodes_[node].value >= 0) on_match(i + 1, nodes_[node].value);
    }
  }

  // The value of exactly `key`, or -1.
  int32_t Find(std::string_view key) const;

 private:
  struct Node {
    int32_t value = -1;
    uint32_t first_edge = 0;  // edges_[first_edge, first_edge + num_edges), by label
    uint32_t num_edges = 0;
  };
  struct Edge {
    uint8_t label;
    uint32_t child;
  };

  int32_t Child(uint32_t node, uint8_t label) const {
    const Node& n = nodes_[node];
    const Edge* begin = edges_.data() + n.first_edge;
    const Edge* end = begin + n.num_edges;
    const Edge* it =
        std::lower_bound(begin, end, label, [](const Edge& e, uint8_t l) { return e.label < l; });
    return it != end && it->label == label ? static_cast<int32_t>(it->child) : -1;
  }

  std::vector<Node> nodes_;  // nodes_[0] is the root
  std::vector<Edge> edges_;
};

}  // namespace tserve::engine::spm

#endif  // TSERVE_ENGINE_TEXT_PIECE_TRIE_H_
