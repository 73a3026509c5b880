#ifndef TSERVE_CLIENT_CALL_MIX_H_
#define TSERVE_CLIENT_CALL_MIX_H_

#include <array>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tserve::client {

// The RPCs a load generator makes.
enum class CallKind { kTranslate = 0, kStream = 1, kEncode = 2 };
inline constexpr int kCallKinds = 3;

// "translate", "stream" or "encode": the names used by --mix and reports.
const char* CallKindName(CallKind kind);

// How often each RPC is called, as relative weights, e.g. "translate:6,
// stream:2,encode:2" (60 % Translate, 20 % TranslateStream, 20 % Encode).
class CallMix {
 public:
  // Translate only.
  CallMix();

  // Parses "KIND:WEIGHT,..." with KIND in translate, stream, encode and
  // WEIGHT a whole number >= 0; a kind given alone ("translate") weighs 1,
  // kinds left out weigh 0. At least one weight must be positive.
  static absl::StatusOr<CallMix> Parse(absl::string_view spec);

  // The kind for a uniform draw `u` in [0, 1): each kind takes a share of
  // the interval in proportion to its weight, in the order above.
  CallKind Pick(double u) const;

  int weight(CallKind kind) const { return weights_[static_cast<int>(kind)]; }

  // Canonical spelling, kinds with weight 0 left out: "translate:6,encode:2".
  std::string ToString() const;

 private:
  std::array<int, kCallKinds> weights_{};
};

}  // namespace tserve::client

#endif  // TSERVE_CLIENT_CALL_MIX_H_
