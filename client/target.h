#ifndef TSERVE_CLIENT_TARGET_H_
#define TSERVE_CLIENT_TARGET_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tserve::client {

// Turns the address a user gives into a gRPC channel target:
//   "10.0.0.1:50051,10.0.0.2:50051"  -> "ipv4:10.0.0.1:50051,10.0.0.2:50051"
//   "[::1]:50051,[::1]:50052"        -> "ipv6:[::1]:50051,[::1]:50052"
//   "tserve.default.svc:50051"       -> "dns:///tserve.default.svc:50051"
//   "dns:///name:50051", "unix:/path" and other URIs pass through unchanged.
// The channel balances calls over every address (round_robin), so a DNS
// name that resolves to several replicas (a headless Service) spreads load
// too. Several host names in one list are refused: gRPC resolves one name
// per channel.
absl::StatusOr<std::string> ChannelTarget(absl::string_view address);

}  // namespace tserve::client

#endif  // TSERVE_CLIENT_TARGET_H_
