// CallCancellation and CancelScheduler cancel real gRPC calls. The calls go
// to a loopback port where nothing listens and wait for it to become ready
// (wait_for_ready), so they only end through cancellation or their deadline.

#include "client/cancel_scheduler.h"

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "client/call_cancellation.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"

namespace tserve::client {
namespace {

// Long enough that a call which was not cancelled can never pass for one
// that was: it ends with DEADLINE_EXCEEDED instead.
constexpr auto kDeadline = std::chrono::seconds(30);

class CancelTest : public ::testing::Test {
 protected:
  // Port 1 on loopback: nothing listens there, connections are refused.
  CancelTest()
      : stub_(grpc::health::v1::Health::NewStub(
            grpc::CreateChannel("ipv4:127.0.0.1:1", grpc::InsecureChannelCredentials()))) {}

  // A call that waits for the server until cancelled through `cancellation`.
  grpc::StatusCode WaitingCall(CallCancellation* cancellation) {
    grpc::ClientContext context;
    context.set_wait_for_ready(true);
    context.set_deadline(std::chrono::system_clock::now() + kDeadline);
    CallCancellation::Attachment attachment(cancellation, context);
    grpc::health::v1::HealthCheckResponse response;
    return stub_->Check(&context, grpc::health::v1::HealthCheckRequest(), &response).error_code();
  }

  std::unique_ptr<grpc::health::v1::Health::Stub> stub_;
};

TEST_F(CancelTest, CancelBeforeTheCallCancelsItWhenItStarts) {
  CallCancellation cancellation;
  cancellation.Cancel();
  EXPECT_TRUE(cancellation.cancelled());
  EXPECT_EQ(WaitingCall(&cancellation), grpc::StatusCode::CANCELLED);
}

TEST_F(CancelTest, CancelFromAnotherThreadEndsACallInFlight) {
  CallCancellation cancellation;
  std::thread canceller([&] {
    absl::SleepFor(absl::Milliseconds(50));
    cancellation.Cancel();
  });
  EXPECT_EQ(WaitingCall(&cancellation), grpc::StatusCode::CANCELLED);
  canceller.join();
}

TEST_F(CancelTest, CancelAfterTheCallIsHarmless) {
  CallCancellation cancellation;
  {
    grpc::ClientContext context;
    CallCancellation::Attachment attachment(&cancellation, context);
  }
  cancellation.Cancel();  // the context is gone: nothing to touch
  EXPECT_TRUE(cancellation.cancelled());
}

TEST_F(CancelTest, SchedulerCancelsEachCallAtItsTime) {
  CancelScheduler scheduler;
  constexpr int kCalls = 6;
  std::vector<std::shared_ptr<CallCancellation>> cancellations;
  for (int i = 0; i < kCalls; ++i) cancellations.push_back(std::make_shared<CallCancellation>());
  // Scheduled out of order, one already due.
  for (int i = kCalls - 1; i >= 0; --i) {
    scheduler.CancelAt(cancellations[i], absl::Now() + absl::Milliseconds(20 * i));
  }
  std::vector<grpc::StatusCode> codes(kCalls);
  std::vector<std::thread> callers;
  for (int i = 0; i < kCalls; ++i) {
    callers.emplace_back([&, i] { codes[i] = WaitingCall(cancellations[i].get()); });
  }
  for (std::thread& caller : callers) caller.join();
  for (int i = 0; i < kCalls; ++i) {
    EXPECT_EQ(codes[i], grpc::StatusCode::CANCELLED) << "call " << i;
    EXPECT_TRUE(cancellations[i]->cancelled());
  }
}

TEST_F(CancelTest, SchedulerDropsWhatIsPendingWhenDestroyed) {
  auto cancellation = std::make_shared<CallCancellation>();
  {
    CancelScheduler scheduler;
    scheduler.CancelAt(cancellation, absl::Now() + absl::Hours(1));
  }
  EXPECT_FALSE(cancellation->cancelled());
}

}  // namespace
}  // namespace tserve::client
