#include "client/call_mix.h"

#include <numeric>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace tserve::client {

const char* CallKindName(CallKind kind) {
  switch (kind) {
    case CallKind::kTranslate:
      return "translate";
    case CallKind::kStream:
      return "stream";
    case CallKind::kEncode:
      return "encode";
  }
  return "unknown";
}

CallMix::CallMix() { weights_[static_cast<int>(CallKind::kTranslate)] = 1; }

absl::StatusOr<CallMix> CallMix::Parse(absl::string_view spec) {
  CallMix mix;
  mix.weights_.fill(0);
  std::array<bool, kCallKinds> seen{};
  for (absl::string_view part : absl::StrSplit(spec, ',', absl::SkipWhitespace())) {
    part = absl::StripAsciiWhitespace(part);
    std::pair<absl::string_view, absl::string_view> name_weight =
        absl::StrSplit(part, absl::MaxSplits(':', 1));
    const absl::string_view name = absl::StripAsciiWhitespace(name_weight.first);
    int kind = -1;
    for (int k = 0; k < kCallKinds; ++k) {
      if (name == CallKindName(static_cast<CallKind>(k))) kind = k;
    }
    if (kind < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--mix: unknown call '", name, "' in '", spec, "': use translate, stream or encode"));
    }
    if (seen[kind]) {
      return absl::InvalidArgumentError(
          absl::StrCat("--mix: '", name, "' is given twice in '", spec, "'"));
    }
    seen[kind] = true;
    int weight = 1;
    if (part.find(':') != absl::string_view::npos &&
        (!absl::SimpleAtoi(name_weight.second, &weight) || weight < 0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--mix: the weight of '", name, "' must be a whole number >= 0, not '",
                       name_weight.second, "'"));
    }
    mix.weights_[kind] = weight;
  }
  if (std::accumulate(mix.weights_.begin(), mix.weights_.end(), 0) <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--mix='", spec, "' makes no calls: give e.g. translate:6,stream:2,encode:2"));
  }
  return mix;
}

CallKind CallMix::Pick(double u) const {
  const int total = std::accumulate(weights_.begin(), weights_.end(), 0);
  double bound = 0;
  int last = 0;
  for (int k = 0; k < kCallKinds; ++k) {
    if (weights_[k] == 0) continue;
    bound += static_cast<double>(weights_[k]) / total;
    last = k;
    if (u < bound) return static_cast<CallKind>(k);
  }
  return static_cast<CallKind>(last);  // u at or above 1 after rounding
}

std::string CallMix::ToString() const {
  std::vector<std::string> parts;
  for (int k = 0; k < kCallKinds; ++k) {
    if (weights_[k] > 0) {
      parts.push_back(absl::StrCat(CallKindName(static_cast<CallKind>(k)), ":", weights_[k]));
    }
  }
  return absl::StrJoin(parts, ",");
}

}  // namespace tserve::client
