#include "tests/e2e/chrf.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <stdexcept>

namespace tserve::testing {
namespace {

constexpr int kOrder = 6;
constexpr double kBeta = 2;

// Code points of `text` without whitespace (what Python's \s matches for
// the characters these corpora hold: ASCII blanks and U+00A0).
std::u32string CodePointsWithoutSpace(const std::string& text) {
  std::u32string out;
  for (size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const int length = byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4;
    char32_t cp = length == 1 ? byte : byte & (0x7F >> length);
    for (int k = 1; k < length && i + k < text.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    }
    i += length;
    const bool space = cp == U' ' || (cp >= U'\t' && cp <= U'\r') || cp == 0x1C || cp == 0x1D ||
                       cp == 0x1E || cp == 0x1F || cp == 0x85 || cp == 0xA0;
    if (!space) out.push_back(cp);
  }
  return out;
}

std::map<std::u32string, int64_t> Ngrams(const std::u32string& chars, int n) {
  std::map<std::u32string, int64_t> counts;
  for (size_t i = 0; i + n <= chars.size(); ++i) ++counts[chars.substr(i, n)];
  return counts;
}

}  // namespace

double CorpusChrf(const std::vector<std::string>& hypotheses,
                  const std::vector<std::string>& references) {
  if (hypotheses.size() != references.size()) {
    throw std::invalid_argument("CorpusChrf: as many hypotheses as references are needed");
  }
  // Per order: hypothesis n-grams, reference n-grams, matches.
  std::array<std::array<int64_t, 3>, kOrder> totals{};
  for (size_t s = 0; s < hypotheses.size(); ++s) {
    const std::u32string hyp = CodePointsWithoutSpace(hypotheses[s]);
    const std::u32string ref = CodePointsWithoutSpace(references[s]);
    for (int n = 1; n <= kOrder; ++n) {
      const auto hyp_counts = Ngrams(hyp, n), ref_counts = Ngrams(ref, n);
      auto& total = totals[n - 1];
      for (const auto& [gram, count] : hyp_counts) {
        total[0] += count;
        const auto it = ref_counts.find(gram);
        if (it != ref_counts.end()) total[2] += std::min(count, it->second);
      }
      for (const auto& [gram, count] : ref_counts) total[1] += count;
    }
  }
  double precision = 0, recall = 0;
  int orders = 0;
  for (const auto& [hyp, ref, matches] : totals) {
    if (hyp == 0 || ref == 0) continue;
    precision += static_cast<double>(matches) / static_cast<double>(hyp);
    recall += static_cast<double>(matches) / static_cast<double>(ref);
    ++orders;
  }
  if (orders == 0) return 0;
  precision /= orders;
  recall /= orders;
  if (precision + recall == 0) return 0;
  const double b2 = kBeta * kBeta;
  return 100 * (1 + b2) * precision * recall / (b2 * precision + recall);
}

}  // namespace tserve::testing
