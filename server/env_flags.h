#ifndef TSERVE_SERVER_ENV_FLAGS_H_
#define TSERVE_SERVER_ENV_FLAGS_H_

#include <cstdlib>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace tserve::server {

// The environment variable that sets a flag: `TSERVE_` + the flag name in
// upper case (`grpc_port` -> `TSERVE_GRPC_PORT`).
std::string EnvironmentVariableForFlag(absl::string_view flag_name);

// Returns the value of an environment variable, or nullptr when unset.
using EnvironmentLookup = std::function<const char*(const char*)>;

// Sets every registered flag (Abseil's own --help, --flagfile, ... excepted)
// whose environment variable is set. Containers configure the server this
// way. Call it before absl::ParseCommandLine so the command line wins.
// Fails, naming every offending variable, when a value does not parse.
absl::Status ApplyEnvironmentToFlags(const EnvironmentLookup& lookup = ::getenv);

}  // namespace tserve::server

#endif  // TSERVE_SERVER_ENV_FLAGS_H_
