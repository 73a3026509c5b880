#ifndef TSERVE_SERVER_METRICS_H_
#define TSERVE_SERVER_METRICS_H_

#include <memory>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "prometheus/exposer.h"
#include "prometheus/registry.h"

namespace tserve::server {

// The server's Prometheus metrics and the HTTP endpoint that serves them on
// its own port at /metrics. Constructing it registers the metrics; Serve()
// starts the endpoint. Components add their metric families to registry().
//
// Names follow Prometheus conventions (`tserve_` prefix, base units,
// `_total` counters) so that `promtool check metrics` reports nothing.
class Metrics {
 public:
  Metrics();
  ~Metrics();

  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Starts serving /metrics on address:port (port 0 picks a free port).
  absl::Status Serve(absl::string_view address, int port);

  // The port /metrics is served on; 0 before Serve().
  int port() const { return port_; }

  // Stops the HTTP endpoint (idempotent). Scrapes in progress finish first;
  // this takes up to a second, the poll interval of the HTTP server.
  void Stop();

  prometheus::Registry& registry() { return *registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

}  // namespace tserve::server

#endif  // TSERVE_SERVER_METRICS_H_
