#include "engine/text/language_tokens.h"

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace tserve::engine {
namespace {

constexpr std::string_view kOpen = ">>";
constexpr std::string_view kClose = "<<";
// Codes quoted in error messages are cut to this many bytes: a greedy "code" may be most
// of a line of text.
constexpr size_t kQuotedCodeBytes = 40;

// `code` for an error message: at most kQuotedCodeBytes bytes, cut at a character
// boundary.
std::string Quoted(std::string_view code) {
  if (code.size() <= kQuotedCodeBytes) return std::string(code);
  size_t end = kQuotedCodeBytes;
  while (end > 0 && (static_cast<unsigned char>(code[end]) & 0xC0) == 0x80) --end;
  return std::string(code.substr(0, end)) + "...";
}

}  // namespace

bool IsLanguageToken(std::string_view piece) {
  return piece.size() >= kOpen.size() + 1 + kClose.size() && piece.substr(0, 2) == kOpen &&
         piece.substr(piece.size() - 2) == kClose &&
         piece.substr(2, piece.size() - 4).find('\n') == std::string_view::npos;
}

std::string LanguageToken(std::string_view code) {
  std::string token(kOpen);
  token.append(code).append(kClose);
  return token;
}

LanguageCodeSplit SplitLanguageCodes(std::string_view text) {
  // A span that starts at `at` (">>" there) ends with the last "<<" of its line, if that
  // leaves at least one character between the two: that is the greedy ">>.+<<". The
  // last "<<" of a line is looked for at most twice per line, which keeps the scan
  // linear.
  LanguageCodeSplit split;
  size_t kept_from = 0;  // start of the text not yet copied to split.text
  size_t line_end = 0;   // end of the line that `last_close` belongs to
  size_t last_close = std::string_view::npos;
  bool line_known = false;
  size_t at = 0;
  while ((at = text.find(kOpen, at)) != std::string_view::npos) {
    if (!line_known || at >= line_end) {
      line_end = std::min(text.find('\n', at), text.size());
      last_close = text.substr(at, line_end - at).rfind(kClose);
      if (last_close != std::string_view::npos) last_close += at;
      line_known = true;
    }
    if (last_close == std::string_view::npos || last_close < at + kOpen.size() + 1) {
      ++at;  // no span starts here; one may start at the next byte (">>>x<<")
      continue;
    }
    const size_t end = last_close + kClose.size();
    if (at == 0) {
      split.leading_code = std::string(text.substr(kOpen.size(), last_close - kOpen.size()));
    }
    split.text.append(text.substr(kept_from, at - kept_from));
    kept_from = end;
    at = end;
    line_known = false;  // what follows on this line has no "<<" left
  }
  split.text.append(text.substr(kept_from));
  return split;
}

namespace {

std::vector<std::pair<std::string, int32_t>> LanguageTokensOf(const Vocabulary& vocab) {
  std::vector<std::pair<std::string, int32_t>> found;
  for (int32_t id = 0; id < vocab.size(); ++id) {
    const std::string& piece = vocab.Piece(id);
    if (IsLanguageToken(piece)) found.emplace_back(piece.substr(2, piece.size() - 4), id);
  }
  return found;
}

}  // namespace

LanguageCodes::LanguageCodes(const Vocabulary& vocab)
    : LanguageCodes(LanguageTokensOf(vocab), "target") {}

LanguageCodes::LanguageCodes(std::vector<std::pair<std::string, int32_t>> found, std::string role)
    : role_(std::move(role)) {
  std::sort(found.begin(), found.end());
  for (auto& [code, id] : found) {
    codes_.push_back(std::move(code));
    ids_.push_back(id);
  }
}

std::string LanguageCodes::Known() const {
  if (codes_.empty()) {
    return role_ == "target"
               ? "this model has no target-language tokens (it translates into one language)"
               : absl::StrCat("this model takes no ", role_, " language");
  }
  return absl::StrCat("this model knows: ", absl::StrJoin(codes_, ", "));
}

absl::StatusOr<int32_t> LanguageCodes::Find(std::string_view code, std::string_view source) const {
  const auto it = std::lower_bound(codes_.begin(), codes_.end(), code);
  if (it != codes_.end() && *it == code) return ids_[static_cast<size_t>(it - codes_.begin())];
  std::string where;
  if (!source.empty()) {
    const bool several =
        code.find(kClose) != std::string_view::npos || code.find(kOpen) != std::string_view::npos;
    where = absl::StrCat(
        " (", std::string(source), " starts with >>", Quoted(code), "<<",
        several ? "; a code runs from the first >> to the last << of its line" : "", ")");
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown ", role_, " language '", Quoted(code), "'", where, "; ", Known()));
}

absl::Status LanguageCodes::Check(std::string_view code) const {
  return code.empty() ? absl::OkStatus() : Find(code, "").status();
}

absl::StatusOr<std::optional<int32_t>> LanguageCodes::Resolve(
    const std::optional<std::string>& leading_code, std::string_view requested,
    LanguageRequirement requirement) const {
  std::optional<int32_t> from_request;
  if (!requested.empty()) {
    absl::StatusOr<int32_t> id = Find(requested, "");
    if (!id.ok()) return id.status();
    from_request = *id;
  }
  std::optional<int32_t> from_text;
  if (leading_code.has_value()) {
    absl::StatusOr<int32_t> id = Find(*leading_code, "the text");
    if (!id.ok()) return id.status();
    from_text = *id;
  }
  if (from_request && from_text && *from_request != *from_text) {
    return absl::InvalidArgumentError(absl::StrCat(
        "target_language is '", std::string(requested), "' but the text starts with >>",
        *leading_code, "<<: name the target language once, in either place"));
  }
  if (from_request) return from_request;
  if (from_text) return from_text;
  if (codes_.size() >= 2 && requirement == LanguageRequirement::kRequired) {
    return absl::InvalidArgumentError(absl::StrCat(
        "this model translates into several languages (", absl::StrJoin(codes_, ", "),
        "): set target_language or start the text with ", LanguageToken(codes_.front())));
  }
  return std::optional<int32_t>();
}

}  // namespace tserve::engine
