#ifndef TSERVE_SERVER_FLAGS_H_
#define TSERVE_SERVER_FLAGS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/env_flags.h"
#include "server/options.h"

namespace tserve::server {

// The server's command-line flags are defined in flags.cc; every one can also
// be set through its TSERVE_<NAME> environment variable (env_flags.h).

// Joins every occurrence of a list flag (`--model=a --model b`) into one
// (`--model=a,b`), since an Abseil flag keeps only the last occurrence.
// Arguments after `--` are left alone.
std::vector<std::string> MergeRepeatedListFlag(const std::vector<std::string>& args,
                                               absl::string_view flag_name);

// Builds ServerOptions from the current flag values and validates them.
absl::StatusOr<ServerOptions> ServerOptionsFromFlags();

// The whole start-up configuration step of the binary: environment, then
// the command line (which wins), then validation. Abseil exits the process
// itself for --help, --version and unparsable command-line values.
absl::StatusOr<ServerOptions> ParseServerFlags(int argc, char** argv,
                                               const EnvironmentLookup& lookup = ::getenv);

}  // namespace tserve::server

#endif  // TSERVE_SERVER_FLAGS_H_
