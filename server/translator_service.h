#ifndef TSERVE_SERVER_TRANSLATOR_SERVICE_H_
#define TSERVE_SERVER_TRANSLATOR_SERVICE_H_

#include "grpcpp/grpcpp.h"
#include "tserve/v1/tserve.grpc.pb.h"

namespace tserve::server {

// The tserve.v1.Translator service on gRPC's callback API. This build has no
// inference engine, so every RPC answers UNIMPLEMENTED with a message saying so.
class TranslatorService final : public tserve::v1::Translator::CallbackService {
 public:
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
};

}  // namespace tserve::server

#endif  // TSERVE_SERVER_TRANSLATOR_SERVICE_H_
