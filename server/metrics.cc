#include "server/metrics.h"

#include <exception>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "prometheus/gauge.h"
#include "server/build_info.h"
#include "server/options.h"

namespace tserve::server {

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {
  // The conventional info metric: constant 1, the facts in its labels.
  prometheus::BuildGauge()
      .Name("tserve_build_info")
      .Help("Build information of the running tserve server; the value is always 1.")
      .Register(*registry_)
      .Add({{"version", std::string(Version())}, {"compiler", std::string(Compiler())}})
      .Set(1);
  prometheus::BuildGauge()
      .Name("tserve_start_time_seconds")
      .Help("Start time of the server process since the Unix epoch, in seconds.")
      .Register(*registry_)
      .Add({})
      .Set(absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()));
}

Metrics::~Metrics() { Stop(); }

absl::Status Metrics::Serve(absl::string_view address, int port) {
  if (exposer_ != nullptr) return absl::FailedPreconditionError("metrics are already served");
  const std::string bind_address = HostPort(address, port);
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(bind_address);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", bind_address, " (", e.what(),
                     "): is the port in use? Choose another with --metrics_port"));
  }
  exposer_->RegisterCollectable(registry_, "/metrics");
  const std::vector<int> ports = exposer_->GetListeningPorts();
  port_ = ports.empty() ? port : ports.front();
  return absl::OkStatus();
}

void Metrics::Stop() {
  exposer_.reset();
  port_ = 0;
}

}  // namespace tserve::server
