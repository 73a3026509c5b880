#include "client/call_cancellation.h"

namespace tserve::client {

CallCancellation::Attachment::Attachment(CallCancellation* cancellation,
                                         grpc::ClientContext& context)
    : cancellation_(cancellation) {
  if (cancellation_ == nullptr) return;
  std::lock_guard lock(cancellation_->mutex_);
  cancellation_->context_ = &context;
  // TryCancel before the call starts is remembered by gRPC and applied when
  // the call begins.
  if (cancellation_->cancelled_) context.TryCancel();
}

CallCancellation::Attachment::~Attachment() {
  if (cancellation_ == nullptr) return;
  std::lock_guard lock(cancellation_->mutex_);
  cancellation_->context_ = nullptr;
}

void CallCancellation::Cancel() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
  if (context_ != nullptr) context_->TryCancel();
}

bool CallCancellation::cancelled() const {
  std::lock_guard lock(mutex_);
  return cancelled_;
}

}  // namespace tserve::client
