#ifndef TSERVE_CLIENT_CALL_CANCELLATION_H_
#define TSERVE_CLIENT_CALL_CANCELLATION_H_

#include <mutex>

#include "grpcpp/client_context.h"

namespace tserve::client {

// A switch that lets one thread cancel a call that another thread is making
// (a synchronous call blocks its own thread). The calling side attaches the
// call's grpc::ClientContext for as long as the call runs; Cancel() may come
// before, during or after the call: before, the call is cancelled as soon as
// it is attached; after, it does nothing.
class CallCancellation {
 public:
  // Keeps a context attached while in scope.
  class Attachment {
   public:
    Attachment(CallCancellation* cancellation, grpc::ClientContext& context);
    ~Attachment();
    Attachment(const Attachment&) = delete;
    Attachment& operator=(const Attachment&) = delete;

   private:
    CallCancellation* cancellation_;
  };

  // Cancels the attached call (TryCancel), now or when one is attached.
  void Cancel();

  // Whether Cancel() was called.
  bool cancelled() const;

 private:
  mutable std::mutex mutex_;
  grpc::ClientContext* context_ = nullptr;
  bool cancelled_ = false;
};

}  // namespace tserve::client

#endif  // TSERVE_CLIENT_CALL_CANCELLATION_H_
