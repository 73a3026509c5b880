#ifndef TSERVE_SERVER_BUILD_INFO_H_
#define TSERVE_SERVER_BUILD_INFO_H_

#include "absl/strings/string_view.h"

namespace tserve::server {

// The tserve version (the CMake project version), e.g. "0.1.0".
absl::string_view Version();

// The compiler that built the server, e.g. "gcc-12.2.0".
absl::string_view Compiler();

}  // namespace tserve::server

#endif  // TSERVE_SERVER_BUILD_INFO_H_
