#include "server/port_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace tserve::server {

absl::Status WritePortFile(const std::string& path, int grpc_port, int metrics_port) {
  const std::string temporary = absl::StrCat(path, ".tmp.", getpid());
  const std::string contents =
      absl::StrCat("grpc_port=", grpc_port, "\nmetrics_port=", metrics_port, "\n");
  FILE* file = std::fopen(temporary.c_str(), "w");
  if (file == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("--port_file: cannot create ", temporary, ": ", std::strerror(errno)));
  }
  const bool written = std::fwrite(contents.data(), 1, contents.size(), file) == contents.size();
  const bool closed = std::fclose(file) == 0;
  if (!written || !closed) {
    std::remove(temporary.c_str());
    return absl::UnavailableError(absl::StrCat("--port_file: cannot write ", temporary));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    std::remove(temporary.c_str());
    return absl::UnavailableError(absl::StrCat("--port_file: cannot rename ", temporary, " to ",
                                               path, ": ", std::strerror(error)));
  }
  return absl::OkStatus();
}

}  // namespace tserve::server
