#ifndef TSERVE_SERVER_SERVER_H_
#define TSERVE_SERVER_SERVER_H_

#include <memory>

#include "absl/status/status.h"
#include "grpcpp/server.h"
#include "server/metrics.h"
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

  // Binds both listeners, marks the health service SERVING and writes the
  // port file when one is configured.
  absl::Status Start();

  // Drains and stops: health goes NOT_SERVING, new calls are refused, calls
  // in flight get up to --drain_timeout_s to finish (then they are
  // cancelled), and the metrics endpoint stops last so the drain is visible.
  // Idempotent.
  void Shutdown();

  // The bound ports (useful when the options asked for port 0).
  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_.port(); }

  Metrics& metrics() { return metrics_; }

 private:
  ServerOptions options_;
  Metrics metrics_;
  TranslatorService translator_;
  std::unique_ptr<grpc::Server> grpc_server_;
  int grpc_port_ = 0;
};

}  // namespace tserve::server

#endif  // TSERVE_SERVER_SERVER_H_
