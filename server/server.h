#ifndef TSERVE_SERVER_SERVER_H_
#define TSERVE_SERVER_SERVER_H_

#include <memory>

#include "absl/status/status.h"
#include "grpcpp/server.h"
#include "server/health_service.h"
#include "server/metrics.h"
#include "server/model_registry.h"
#include "server/options.h"
#include "server/translator_service.h"

namespace tserve::server {

// The running server: the gRPC listener (Translator service, standard health
// service, server reflection) and the metrics endpoint.
class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds both listeners and writes the port file when one is configured.
  // Health stays NOT_SERVING (and the Translator RPCs answer UNAVAILABLE)
  // until LoadModels() succeeds.
  absl::Status Start();

  // Loads every --model, starts its scheduler and warms it up, then marks
  // the health service SERVING. INVALID_ARGUMENT for a compute type this
  // build lacks; the loader's error for a model that does not load.
  absl::Status LoadModels();

  // Drains and stops: health goes NOT_SERVING, new calls get UNAVAILABLE,
  // admitted sentences get up to --drain_timeout_s to finish (what is left
  // then fails UNAVAILABLE), the gRPC server stops, and the metrics endpoint
  // stops last so the drain is visible. Idempotent.
  void Shutdown();

  // The bound ports (useful when the options asked for port 0).
  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_.port(); }

  Metrics& metrics() { return metrics_; }

 private:
  ServerOptions options_;
  Metrics metrics_;
  ModelRegistry models_;
  TranslatorService translator_;
  // Outlives grpc_server_, which serves it.
  HealthService health_;
  std::unique_ptr<grpc::Server> grpc_server_;
  int grpc_port_ = 0;
};

}  // namespace tserve::server

#endif  // TSERVE_SERVER_SERVER_H_
