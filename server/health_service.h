#ifndef TSERVE_SERVER_HEALTH_SERVICE_H_
#define TSERVE_SERVER_HEALTH_SERVICE_H_

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace tserve::server {

// The standard grpc.health.v1.Health service (Check and Watch), in place of
// gRPC's built-in one for two reasons: Shutdown() ends the Watch calls that
// clients keep open (gRPC's client-side health checking holds one to every
// replica), which would otherwise hold the server's shutdown until its
// deadline; and the service's descriptors are linked into the server, so
// reflection describes it to generic clients.
//
// Check: NOT_FOUND for a service it does not know. Watch: the current status
// at once (SERVICE_UNKNOWN for a service it does not know), then every
// change, until the client ends the call or the server shuts down.
class HealthService final : public grpc::health::v1::Health::CallbackService {
 public:
  using ServingStatus = grpc::health::v1::HealthCheckResponse::ServingStatus;

  // Knows "" (the server as a whole), NOT_SERVING.
  HealthService();
  ~HealthService() override;

  // Adds `service` when new. Ignored after Shutdown().
  void SetServingStatus(const std::string& service, bool serving);

  // Every service turns NOT_SERVING for good; each Watch call is sent
  // NOT_SERVING and then ends with UNAVAILABLE ("shutting down"), as do Watch
  // calls that start later. Idempotent.
  void Shutdown();

  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context,
                                  const grpc::health::v1::HealthCheckRequest* request,
                                  grpc::health::v1::HealthCheckResponse* response) override;
  grpc::ServerWriteReactor<grpc::health::v1::HealthCheckResponse>* Watch(
      grpc::CallbackServerContext* context,
      const grpc::health::v1::HealthCheckRequest* request) override;

 private:
  class WatchCall;
  // What a Watch call does next, decided under mutex_ and done outside it.
  struct Action {
    enum Kind { kNone, kWrite, kFinish } kind = kNone;
    grpc::Status status;
  };

  ServingStatus StatusOf(const std::string& service) const;  // mutex_ held
  Action NextAction(WatchCall& call);                        // mutex_ held
  void Pump(WatchCall& call);                                // mutex_ not held

  mutable std::mutex mutex_;
  std::map<std::string, bool> serving_;
  std::set<WatchCall*> watches_;
  bool shut_down_ = false;
};

}  // namespace tserve::server

#endif  // TSERVE_SERVER_HEALTH_SERVICE_H_
