#include "client/target.h"

#include <arpa/inet.h>

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace tserve::client {

namespace {

enum class HostKind { kIpv4, kIpv6, kName };

struct HostPort {
  std::string host;
  HostKind kind;
};

absl::StatusOr<HostPort> ParseHostPort(absl::string_view address) {
  absl::string_view host;
  absl::string_view port;
  if (absl::StartsWith(address, "[")) {
    size_t close = address.find(']');
    if (close == absl::string_view::npos || address.substr(close + 1, 1) != ":") {
      return absl::InvalidArgumentError(
          absl::StrCat("'", address, "' is not [IPV6]:PORT, e.g. [::1]:50051"));
    }
    host = address.substr(1, close - 1);
    port = address.substr(close + 2);
  } else {
    size_t colon = address.rfind(':');
    if (colon == absl::string_view::npos || address.substr(0, colon).find(':') != address.npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", address, "' is not HOST:PORT, e.g. 127.0.0.1:50051 (bracket IPv6: [::1]:50051)"));
    }
    host = address.substr(0, colon);
    port = address.substr(colon + 1);
  }
  int port_number = 0;
  if (host.empty() || !absl::SimpleAtoi(port, &port_number) || port_number <= 0 ||
      port_number > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", address, "' needs a host and a port in [1, 65535]"));
  }
  const std::string host_string(host);
  unsigned char buffer[sizeof(in6_addr)];
  HostKind kind = HostKind::kName;
  if (inet_pton(AF_INET, host_string.c_str(), buffer) == 1) {
    kind = HostKind::kIpv4;
  } else if (inet_pton(AF_INET6, host_string.c_str(), buffer) == 1) {
    kind = HostKind::kIpv6;
  }
  return HostPort{std::string(address), kind};
}

}  // namespace

absl::StatusOr<std::string> ChannelTarget(absl::string_view address) {
  address = absl::StripAsciiWhitespace(address);
  if (address.empty()) return absl::InvalidArgumentError("the server address is empty");
  for (absl::string_view scheme : {"dns:", "ipv4:", "ipv6:", "unix:", "unix-abstract:"}) {
    if (absl::StartsWith(address, scheme)) return std::string(address);
  }
  if (absl::StrContains(address, "://")) return std::string(address);

  std::vector<HostPort> hosts;
  for (absl::string_view part : absl::StrSplit(address, ',', absl::SkipWhitespace())) {
    absl::StatusOr<HostPort> host = ParseHostPort(absl::StripAsciiWhitespace(part));
    if (!host.ok()) return host.status();
    hosts.push_back(*std::move(host));
  }
  if (hosts.empty()) return absl::InvalidArgumentError("the server address is empty");

  if (hosts.size() == 1 && hosts[0].kind == HostKind::kName) {
    return absl::StrCat("dns:///", hosts[0].host);
  }
  const HostKind kind = hosts[0].kind;
  for (const HostPort& host : hosts) {
    if (host.kind == HostKind::kName) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", host.host, "': a list of several addresses must hold IP addresses only; for host ",
          "names give one DNS name that resolves to every replica"));
    }
    if (host.kind != kind) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", address, "' mixes IPv4 and IPv6 addresses; use one family"));
    }
  }
  return absl::StrCat(kind == HostKind::kIpv4 ? "ipv4:" : "ipv6:",
                      absl::StrJoin(hosts, ",", [](std::string* out, const HostPort& host) {
                        out->append(host.host);
                      }));
}

}  // namespace tserve::client
