#ifndef TSERVE_SERVER_LOG_H_
#define TSERVE_SERVER_LOG_H_

#include "absl/strings/string_view.h"

namespace tserve::server {

enum class LogSeverity { kInfo, kWarning, kError };

// Writes one timestamped line to stderr, e.g.
//   2024-05-01T12:00:00.123Z I listening for gRPC on 127.0.0.1:50051
// The Abseil of Debian 12 has no absl/log; this is the whole logging facility
// the server needs. Each line goes out in a single write(2) so lines from
// different threads never interleave.
void Log(LogSeverity severity, absl::string_view message);

inline void LogInfo(absl::string_view message) { Log(LogSeverity::kInfo, message); }
inline void LogWarning(absl::string_view message) { Log(LogSeverity::kWarning, message); }
inline void LogError(absl::string_view message) { Log(LogSeverity::kError, message); }

}  // namespace tserve::server

#endif  // TSERVE_SERVER_LOG_H_
