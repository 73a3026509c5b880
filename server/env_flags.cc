#include "server/env_flags.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace tserve::server {

std::string EnvironmentVariableForFlag(absl::string_view flag_name) {
  return absl::StrCat("TSERVE_", absl::AsciiStrToUpper(flag_name));
}

absl::Status ApplyEnvironmentToFlags(const EnvironmentLookup& lookup) {
  // Sorted, so that errors come out in a stable order.
  std::vector<std::pair<absl::string_view, absl::CommandLineFlag*>> flags;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    // Abseil's built-in flags drive the parser itself (--flagfile, --help);
    // setting them behind its back would be surprising.
    if (absl::StrContains(flag->Filename(), "absl/flags/")) continue;
    flags.emplace_back(name, flag);
  }
  std::sort(flags.begin(), flags.end());

  std::vector<std::string> errors;
  for (const auto& [name, flag] : flags) {
    const std::string variable = EnvironmentVariableForFlag(name);
    const char* value = lookup(variable.c_str());
    if (value == nullptr) continue;
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      errors.push_back(absl::StrCat("invalid value '", value, "' in environment variable ",
                                    variable, " (flag --", name, "): ", error));
    }
  }
  if (errors.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(errors, "; "));
}

}  // namespace tserve::server
