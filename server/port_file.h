#ifndef TSERVE_SERVER_PORT_FILE_H_
#define TSERVE_SERVER_PORT_FILE_H_

#include <string>

#include "absl/status/status.h"

namespace tserve::server {

// Writes "grpc_port=N\nmetrics_port=M\n" to `path` atomically (a temporary
// file in the same directory, then rename), so a reader polling for the file
// never sees it half written. Tests and scripts use it to find ports the
// server picked itself (--grpc_port=0).
absl::Status WritePortFile(const std::string& path, int grpc_port, int metrics_port);

}  // namespace tserve::server

#endif  // TSERVE_SERVER_PORT_FILE_H_
