#ifndef TSERVE_SERVER_TRANSLATOR_SERVICE_H_
#define TSERVE_SERVER_TRANSLATOR_SERVICE_H_

#include <atomic>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "server/metrics.h"
#include "server/model_registry.h"
#include "server/options.h"
#include "tserve/v1/tserve.grpc.pb.h"

namespace tserve::server {

// The tserve.v1.Translator service on gRPC's callback API. Handlers validate
// and tokenize on the gRPC thread, submit the sentences of a call to the
// model's scheduler as one all-or-nothing unit and return; results arrive on
// the engine thread, which only queues replies (gRPC sends them), so a slow
// client never holds it.
class TranslatorService final : public tserve::v1::Translator::CallbackService {
 public:
  TranslatorService(const RequestLimits& limits, Metrics* metrics);

  // Makes the models available to calls (before: UNAVAILABLE, "loading").
  // `registry` must outlive every call.
  void SetModels(const ModelRegistry* registry);
  // From now on new calls get UNAVAILABLE; calls already admitted go on.
  void StartDraining();

  grpc::ServerUnaryReactor* Translate(grpc::CallbackServerContext* context,
                                      const tserve::v1::TranslateRequest* request,
                                      tserve::v1::TranslateResponse* response) override;

  grpc::ServerWriteReactor<tserve::v1::TranslateStreamResponse>* TranslateStream(
      grpc::CallbackServerContext* context,
      const tserve::v1::TranslateStreamRequest* request) override;

  grpc::ServerUnaryReactor* Encode(grpc::CallbackServerContext* context,
                                   const tserve::v1::EncodeRequest* request,
                                   tserve::v1::EncodeResponse* response) override;

  grpc::ServerUnaryReactor* GetModelInfo(grpc::CallbackServerContext* context,
                                         const tserve::v1::GetModelInfoRequest* request,
                                         tserve::v1::GetModelInfoResponse* response) override;

  const RequestLimits& limits() const { return limits_; }
  Metrics* metrics() const { return metrics_; }

 private:
  // The models to use, or UNAVAILABLE while loading or draining.
  absl::StatusOr<const ModelRegistry*> Models() const;

  const RequestLimits limits_;
  Metrics* const metrics_;
  std::atomic<const ModelRegistry*> registry_{nullptr};
  std::atomic<bool> draining_{false};
};

}  // namespace tserve::server

#endif  // TSERVE_SERVER_TRANSLATOR_SERVICE_H_
