#include "server/health_service.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace tserve::server {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

// One Watch call. Its state is guarded by the service's mutex; gRPC calls
// (StartWrite, Finish) are made outside it. Only the Pump() that decided to
// finish calls Finish(), and OnDone() follows Finish(), so a call is alive
// whenever the service acts on it.
class HealthService::WatchCall final : public grpc::ServerWriteReactor<HealthCheckResponse> {
 public:
  WatchCall(HealthService* service, std::string name) : service_(service), name_(std::move(name)) {}

  void OnWriteDone(bool ok) override {
    {
      std::lock_guard lock(service_->mutex_);
      writing_ = false;
      if (!ok) broken_ = true;
    }
    service_->Pump(*this);
  }

  void OnCancel() override {
    {
      std::lock_guard lock(service_->mutex_);
      broken_ = true;
    }
    service_->Pump(*this);
  }

  void OnDone() override {
    {
      std::lock_guard lock(service_->mutex_);
      service_->watches_.erase(this);
    }
    delete this;
  }

 private:
  friend class HealthService;

  HealthService* const service_;
  const std::string name_;
  // Guarded by service_->mutex_.
  HealthCheckResponse response_;  // being written while writing_
  bool writing_ = false;
  bool finished_ = false;
  bool broken_ = false;  // the client cancelled or is gone
  bool sent_any_ = false;
  ServingStatus sent_ = HealthCheckResponse::UNKNOWN;
};

HealthService::HealthService() { serving_[""] = false; }

HealthService::~HealthService() = default;

HealthService::ServingStatus HealthService::StatusOf(const std::string& service) const {
  auto it = serving_.find(service);
  if (it == serving_.end()) return HealthCheckResponse::SERVICE_UNKNOWN;
  return it->second ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING;
}

HealthService::Action HealthService::NextAction(WatchCall& call) {
  Action action;
  if (call.finished_ || call.writing_) return action;
  if (call.broken_) {
    call.finished_ = true;
    action.kind = Action::kFinish;
    action.status = grpc::Status::CANCELLED;
    return action;
  }
  const ServingStatus status = StatusOf(call.name_);
  if (!call.sent_any_ || call.sent_ != status) {
    call.sent_any_ = true;
    call.sent_ = status;
    call.writing_ = true;
    call.response_.set_status(status);
    action.kind = Action::kWrite;
    return action;
  }
  if (shut_down_) {
    // NOT_SERVING has been written: the call ends, so the server's shutdown
    // does not wait for it.
    call.finished_ = true;
    action.kind = Action::kFinish;
    action.status = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                 "the server is shutting down; watch another replica");
  }
  return action;
}

void HealthService::Pump(WatchCall& call) {
  Action action;
  {
    std::lock_guard lock(mutex_);
    action = NextAction(call);
  }
  if (action.kind == Action::kWrite) call.StartWrite(&call.response_);
  if (action.kind == Action::kFinish) call.Finish(action.status);
}

void HealthService::SetServingStatus(const std::string& service, bool serving) {
  std::vector<std::pair<WatchCall*, Action>> actions;
  {
    std::lock_guard lock(mutex_);
    if (shut_down_) return;
    serving_[service] = serving;
    for (WatchCall* call : watches_) actions.emplace_back(call, NextAction(*call));
  }
  for (auto& [call, action] : actions) {
    if (action.kind == Action::kWrite) call->StartWrite(&call->response_);
    if (action.kind == Action::kFinish) call->Finish(action.status);
  }
}

void HealthService::Shutdown() {
  std::vector<std::pair<WatchCall*, Action>> actions;
  {
    std::lock_guard lock(mutex_);
    if (shut_down_) return;
    shut_down_ = true;
    for (auto& [name, serving] : serving_) serving = false;
    for (WatchCall* call : watches_) actions.emplace_back(call, NextAction(*call));
  }
  for (auto& [call, action] : actions) {
    if (action.kind == Action::kWrite) call->StartWrite(&call->response_);
    if (action.kind == Action::kFinish) call->Finish(action.status);
  }
}

grpc::ServerUnaryReactor* HealthService::Check(grpc::CallbackServerContext* context,
                                               const HealthCheckRequest* request,
                                               HealthCheckResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  ServingStatus status;
  {
    std::lock_guard lock(mutex_);
    status = StatusOf(request->service());
  }
  if (status == HealthCheckResponse::SERVICE_UNKNOWN) {
    reactor->Finish(
        grpc::Status(grpc::StatusCode::NOT_FOUND,
                     absl::StrCat("unknown service '", request->service(),
                                  "': ask about \"\" (the server) or tserve.v1.Translator")));
    return reactor;
  }
  response->set_status(status);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerWriteReactor<HealthCheckResponse>* HealthService::Watch(
    grpc::CallbackServerContext* context, const HealthCheckRequest* request) {
  auto* call = new WatchCall(this, request->service());
  {
    std::lock_guard lock(mutex_);
    watches_.insert(call);
  }
  Pump(*call);
  return call;
}

}  // namespace tserve::server
