#include "server/translator_service.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace tserve::server {

namespace {

grpc::Status NoEngine(absl::string_view method) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                      absl::StrCat("tserve.v1.Translator/", method,
                                   " is not available: no inference engine is loaded in this "
                                   "build of tserve-server"));
}

grpc::ServerUnaryReactor* FinishUnary(grpc::CallbackServerContext* context, grpc::Status status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(std::move(status));
  return reactor;
}

// A server-streaming reactor that ends the call at once with a status.
// gRPC keeps operations started before the reactor is bound, so Finish() may
// run in the constructor; the reactor frees itself once gRPC is done with it.
template <typename Response>
class FinishedWriteReactor final : public grpc::ServerWriteReactor<Response> {
 public:
  explicit FinishedWriteReactor(grpc::Status status) { this->Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerUnaryReactor* TranslatorService::Translate(grpc::CallbackServerContext* context,
                                                       const tserve::v1::TranslateRequest*,
                                                       tserve::v1::TranslateResponse*) {
  return FinishUnary(context, NoEngine("Translate"));
}

grpc::ServerWriteReactor<tserve::v1::TranslateStreamResponse>* TranslatorService::TranslateStream(
    grpc::CallbackServerContext*, const tserve::v1::TranslateStreamRequest*) {
  return new FinishedWriteReactor<tserve::v1::TranslateStreamResponse>(NoEngine("TranslateStream"));
}

grpc::ServerUnaryReactor* TranslatorService::Encode(grpc::CallbackServerContext* context,
                                                    const tserve::v1::EncodeRequest*,
                                                    tserve::v1::EncodeResponse*) {
  return FinishUnary(context, NoEngine("Encode"));
}

grpc::ServerUnaryReactor* TranslatorService::GetModelInfo(grpc::CallbackServerContext* context,
                                                          const tserve::v1::GetModelInfoRequest*,
                                                          tserve::v1::GetModelInfoResponse*) {
  return FinishUnary(context, NoEngine("GetModelInfo"));
}

}  // namespace tserve::server
