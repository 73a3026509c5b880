#include "server/build_info.h"

#ifndef TSERVE_VERSION
#error "TSERVE_VERSION must be defined by the build (server/CMakeLists.txt)"
#endif

namespace tserve::server {

absl::string_view Version() { return TSERVE_VERSION; }

absl::string_view Compiler() {
#if defined(__clang__)
  return "clang-" __clang_version__;
#elif defined(__GNUC__)
  return "gcc-" __VERSION__;
#else
  return "unknown";
#endif
}

}  // namespace tserve::server
