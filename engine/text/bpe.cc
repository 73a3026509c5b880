#include "engine/text/bpe.h"

#include <algorithm>
#include <cstddef>
#include <queue>
#include <unordered_map>

#include "engine/text/utf8.h"

namespace tserve::engine::spm {
namespace {

// A symbol of the text being merged; symbols form a doubly linked list by index.
struct Symbol {
  int64_t prev;           // -1: the first symbol
  int64_t next;           // -1: the last symbol
  bool frozen;            // a user-defined piece, never merged
  std::string_view text;  // empty once merged into the symbol on its left
};

// Two adjacent symbols whose concatenation is a piece.
struct Candidate {
  float score;
  int64_t left;
  int64_t right;
  size_t size;  // bytes of the concatenation when it was found
};

// The best score first; on a tie, the leftmost pair.
struct WorseCandidate {
  bool operator()(const Candidate& a, const Candidate& b) const {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  }
};

}  // namespace

BpeModel::BpeModel(const ModelProto& model, const PieceTrie& pieces, const PieceTrie& reserved,
                   const PieceTrie& user_defined, int32_t unk_id)
    : model_(model),
      pieces_(pieces),
      reserved_(reserved),
      user_defined_(user_defined),
      unk_id_(unk_id) {
  has_unused_ = std::any_of(model.pieces.begin(), model.pieces.end(),
                            [](const Piece& p) { return p.type == PieceType::kUnused; });
}

int32_t BpeModel::IdOf(std::string_view piece) const {
  if (const int32_t id = reserved_.Find(piece); id >= 0) return id;
  const int32_t id = pieces_.Find(piece);
  return id >= 0 ? id : unk_id_;
}

std::vector<std::pair<std::string_view, int32_t>> BpeModel::Encode(
    std::string_view normalized) const {
  if (normalized.empty()) return {};

  // Characters, or the longest user-defined piece starting there.
  std::vector<Symbol> symbols;
  symbols.reserve(normalized.size());
  for (size_t at = 0; at < normalized.size();) {
    const std::string_view rest = normalized.substr(at);
    size_t length = 0;
    user_defined_.ForEachPrefix(rest, [&](size_t l, int32_t) { length = std::max(length, l); });
    const bool frozen = length > 0;
    if (!frozen) length = std::min(LeadByteLength(rest[0]), rest.size());
    const auto index = static_cast<int64_t>(symbols.size());
    at += length;
    symbols.push_back(
        {index - 1, at < normalized.size() ? index + 1 : -1, frozen, rest.substr(0, length)});
  }

  std::priority_queue<Candidate, std::vector<Candidate>, WorseCandidate> agenda;
  // For an UNUSED piece: the two symbols it was last seen to be merged from.
  std::unordered_map<std::string_view, std::pair<std::string_view, std::string_view>> unmerge;
  const auto consider = [&](int64_t left, int64_t right) {
    if (left < 0 || right < 0) return;
    const Symbol& l = symbols[static_cast<size_t>(left)];
    const Symbol& r = symbols[static_cast<size_t>(right)];
    if (l.frozen || r.frozen) return;
    const std::string_view merged(l.text.data(), l.text.size() + r.text.size());
    const int32_t id = pieces_.Find(merged);
    if (id < 0) return;
    const Piece& piece = model_.pieces[static_cast<size_t>(id)];
    agenda.push({piece.score, left, right, merged.size()});
    if (piece.type == PieceType::kUnused) unmerge[merged] = {l.text, r.text};
  };
  for (size_t i = 1; i < symbols.size(); ++i) {
    consider(static_cast<int64_t>(i - 1), static_cast<int64_t>(i));
  }

  while (!agenda.empty()) {
    const Candidate top = agenda.top();
    agenda.pop();
    Symbol& left = symbols[static_cast<size_t>(top.left)];
    Symbol& right = symbols[static_cast<size_t>(top.right)];
    // Stale: one side was merged away or grew since the pair was found.
    if (left.text.empty() || right.text.empty() ||
        left.text.size() + right.text.size() != top.size) {
      continue;
    }
    left.text = std::string_view(left.text.data(), top.size);
    left.next = right.next;
    if (right.next >= 0) symbols[static_cast<size_t>(right.next)].prev = top.left;
    right.text = {};
    consider(left.prev, top.left);
    consider(top.left, left.next);
  }

  std::vector<std::pair<std::string_view, int32_t>> result;
  // UNUSED pieces are split back into the symbols they were made of, recursively; each
  // half is shorter, so the work stack stays within the piece's length.
  std::vector<std::string_view> stack;
  for (int64_t i = 0; i >= 0; i = symbols[static_cast<size_t>(i)].next) {
    stack.push_back(symbols[static_cast<size_t>(i)].text);
    while (!stack.empty()) {
      const std::string_view text = stack.back();
      stack.pop_back();
      const int32_t id = IdOf(text);
      if (has_unused_ && TypeOf(id) == PieceType::kUnused) {
        if (const auto it = unmerge.find(text); it != unmerge.end()) {
          stack.push_back(it->second.second);
          stack.push_back(it->second.first);
          continue;
        }
      }
      result.emplace_back(text, id);
    }
  }
  return result;
}

}  // namespace tserve::engine::spm
