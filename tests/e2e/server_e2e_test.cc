// End-to-end tests of the tserve-server binary: start-up on free loopback
// ports, health, reflection, metrics, the RPCs without a model, the client CLI,
// configuration errors and shutdown.

#include <condition_variable>
#include <csignal>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/e2e/test_server.h"
#include "tserve/v1/tserve.grpc.pb.h"

namespace tserve::testing {
namespace {

using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;
using ::testing::Not;

// One server for the tests that only query it.
class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value().release();
  }

  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override { ASSERT_NE(server_, nullptr) << "the shared server did not start"; }

  static TestServer* server_;
};

TestServer* ServerTest::server_ = nullptr;

grpc::Status CheckHealth(const std::shared_ptr<grpc::Channel>& channel, const std::string& service,
                         HealthCheckResponse* response) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  HealthCheckRequest request;
  request.set_service(service);
  return stub->Check(&context, request, response);
}

TEST_F(ServerTest, HealthIsServingOverallAndForTranslator) {
  for (const std::string service : {"", "tserve.v1.Translator"}) {
    HealthCheckResponse response;
    grpc::Status status = CheckHealth(server_->NewChannel(), service, &response);
    ASSERT_TRUE(status.ok()) << "service '" << service << "': " << status.error_message();
    EXPECT_EQ(response.status(), HealthCheckResponse::SERVING) << "service '" << service << "'";
  }
}

TEST_F(ServerTest, HealthOfUnknownServiceIsNotFound) {
  HealthCheckResponse response;
  grpc::Status status = CheckHealth(server_->NewChannel(), "no.such.Service", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ServerTest, ReflectionListsServicesAndDescribesTranslator) {
  using grpc::reflection::v1alpha::ServerReflection;
  using grpc::reflection::v1alpha::ServerReflectionRequest;
  using grpc::reflection::v1alpha::ServerReflectionResponse;

  auto stub = ServerReflection::NewStub(server_->NewChannel());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto stream = stub->ServerReflectionInfo(&context);

  ServerReflectionRequest list;
  list.set_list_services("");
  ASSERT_TRUE(stream->Write(list));
  ServerReflectionResponse response;
  ASSERT_TRUE(stream->Read(&response));
  ASSERT_TRUE(response.has_list_services_response()) << response.DebugString();
  std::set<std::string> services;
  for (const auto& service : response.list_services_response().service()) {
    services.insert(service.name());
  }
  EXPECT_TRUE(services.count("tserve.v1.Translator")) << response.DebugString();
  EXPECT_TRUE(services.count("grpc.health.v1.Health")) << response.DebugString();
  EXPECT_TRUE(services.count("grpc.reflection.v1alpha.ServerReflection")) << response.DebugString();

  // Tools such as grpcurl next ask for the file that defines a service.
  ServerReflectionRequest symbol;
  symbol.set_file_containing_symbol("tserve.v1.Translator");
  ASSERT_TRUE(stream->Write(symbol));
  ASSERT_TRUE(stream->Read(&response));
  ASSERT_TRUE(response.has_file_descriptor_response()) << response.DebugString();
  EXPECT_GE(response.file_descriptor_response().file_descriptor_proto_size(), 1);

  stream->WritesDone();
  grpc::Status status = stream->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
}

// What a generic tool (grpcurl, a reflection-driven client) does: list the
// services, fetch the descriptor of each, and call one it knew nothing of at
// build time. Every listed service must be describable.
TEST_F(ServerTest, ReflectionDescribesEveryServiceItListsAndHealthCanBeCalledFromIt) {
  using grpc::reflection::v1alpha::ServerReflection;
  using grpc::reflection::v1alpha::ServerReflectionRequest;
  using grpc::reflection::v1alpha::ServerReflectionResponse;

  auto stub = ServerReflection::NewStub(server_->NewChannel());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto stream = stub->ServerReflectionInfo(&context);
  ServerReflectionRequest list;
  list.set_list_services("");
  ASSERT_TRUE(stream->Write(list));
  ServerReflectionResponse response;
  ASSERT_TRUE(stream->Read(&response));
  ASSERT_TRUE(response.has_list_services_response()) << response.DebugString();

  // Every file the server sends, to build a pool from (dependencies first
  // or not: the pool is built once all arrived).
  std::vector<google::protobuf::FileDescriptorProto> files;
  for (const auto& service : response.list_services_response().service()) {
    ServerReflectionRequest symbol;
    symbol.set_file_containing_symbol(service.name());
    ASSERT_TRUE(stream->Write(symbol));
    ServerReflectionResponse described;
    ASSERT_TRUE(stream->Read(&described));
    ASSERT_TRUE(described.has_file_descriptor_response())
        << service.name() << ": " << described.DebugString();
    for (const std::string& bytes : described.file_descriptor_response().file_descriptor_proto()) {
      google::protobuf::FileDescriptorProto file;
      ASSERT_TRUE(file.ParseFromString(bytes));
      files.push_back(file);
    }
  }
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());

  google::protobuf::DescriptorPool pool;
  // Files may repeat and arrive before their dependencies: add until stable.
  for (size_t round = 0; round < files.size(); ++round) {
    for (const auto& file : files) {
      if (pool.FindFileByName(file.name()) != nullptr) continue;
      bool ready = true;
      for (const std::string& dependency : file.dependency()) {
        ready = ready && pool.FindFileByName(dependency) != nullptr;
      }
      if (ready) pool.BuildFile(file);
    }
  }
  const google::protobuf::MethodDescriptor* check =
      pool.FindMethodByName("grpc.health.v1.Health.Check");
  ASSERT_NE(check, nullptr) << "the health service's descriptor was not served";

  google::protobuf::DynamicMessageFactory factory(&pool);
  std::unique_ptr<google::protobuf::Message> request(
      factory.GetPrototype(check->input_type())->New());
  request->GetReflection()->SetString(
      request.get(), check->input_type()->FindFieldByName("service"), "tserve.v1.Translator");
  std::string request_bytes;
  ASSERT_TRUE(request->SerializeToString(&request_bytes));

  grpc::GenericStub generic(server_->NewChannel());
  grpc::ClientContext call;
  call.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer send(&slice, 1), received;
  std::mutex mutex;
  std::condition_variable done_changed;
  bool done = false;
  grpc::Status status;
  generic.UnaryCall(&call, "/grpc.health.v1.Health/Check", {}, &send, &received,
                    [&](grpc::Status s) {
                      std::lock_guard lock(mutex);
                      status = s;
                      done = true;
                      done_changed.notify_all();
                    });
  {
    std::unique_lock lock(mutex);
    done_changed.wait(lock, [&] { return done; });
  }
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(received.Dump(&slices).ok());
  std::string response_bytes;
  for (const grpc::Slice& s : slices) {
    response_bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  std::unique_ptr<google::protobuf::Message> reply(
      factory.GetPrototype(check->output_type())->New());
  ASSERT_TRUE(reply->ParseFromString(response_bytes));
  const auto* field = check->output_type()->FindFieldByName("status");
  ASSERT_NE(field, nullptr);
  EXPECT_EQ(reply->GetReflection()->GetEnum(*reply, field)->name(), "SERVING");
}

TEST_F(ServerTest, HealthWatchSendsTheStatusAndUnknownServices) {
  auto stub = grpc::health::v1::Health::NewStub(server_->NewChannel());
  for (const auto& [service, expected] :
       {std::pair{std::string(""), HealthCheckResponse::SERVING},
        std::pair{std::string("tserve.v1.Translator"), HealthCheckResponse::SERVING},
        std::pair{std::string("no.such.Service"), HealthCheckResponse::SERVICE_UNKNOWN}}) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    HealthCheckRequest request;
    request.set_service(service);
    auto reader = stub->Watch(&context, request);
    HealthCheckResponse response;
    ASSERT_TRUE(reader->Read(&response)) << service;
    EXPECT_EQ(response.status(), expected) << service;
    context.TryCancel();
    reader->Finish();
  }
}

TEST_F(ServerTest, MetricsEndpointServesBuildInfo) {
  absl::StatusOr<HttpResponse> response = HttpGet(server_->metrics_port(), "/metrics");
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status_code, 200) << response->headers;
  EXPECT_THAT(response->body, HasSubstr("# TYPE tserve_build_info gauge"));
  EXPECT_THAT(response->body, HasSubstr("tserve_build_info{"));
  EXPECT_THAT(response->body, HasSubstr("version=\"0.1.0\""));
  EXPECT_THAT(response->body, HasSubstr("tserve_start_time_seconds "));
}

TEST_F(ServerTest, UnknownHttpPathIsNotFound) {
  absl::StatusOr<HttpResponse> response = HttpGet(server_->metrics_port(), "/nothing-here");
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status_code, 404);
}

TEST_F(ServerTest, TranslatorRpcsWithoutModelsAnswerNotFoundWithAMessage) {
  auto stub = tserve::v1::Translator::NewStub(server_->NewChannel());
  auto expect_not_found = [](const grpc::Status& status, const char* rpc) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << rpc;
    EXPECT_THAT(status.error_message(), HasSubstr("--model"));
  };
  {
    grpc::ClientContext context;
    tserve::v1::TranslateRequest request;
    request.add_texts("Hello world.");
    tserve::v1::TranslateResponse response;
    expect_not_found(stub->Translate(&context, request, &response), "Translate");
  }
  {
    grpc::ClientContext context;
    tserve::v1::TranslateStreamRequest request;
    request.set_text("Hello world.");
    auto reader = stub->TranslateStream(&context, request);
    tserve::v1::TranslateStreamResponse response;
    EXPECT_FALSE(reader->Read(&response));
    expect_not_found(reader->Finish(), "TranslateStream");
  }
  {
    grpc::ClientContext context;
    tserve::v1::EncodeRequest request;
    request.add_texts("Hello world.");
    tserve::v1::EncodeResponse response;
    expect_not_found(stub->Encode(&context, request, &response), "Encode");
  }
  {
    grpc::ClientContext context;
    tserve::v1::GetModelInfoResponse response;
    grpc::Status status = stub->GetModelInfo(&context, {}, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.models_size(), 0);
  }
}

TEST_F(ServerTest, ClientHealthCommandExitsZeroWhenServing) {
  for (const std::string service : {"", "tserve.v1.Translator"}) {
    absl::StatusOr<ProcessResult> result = RunProcess(
        {ClientBinary(), "health", "--address=" + server_->address(), "--service=" + service});
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->exit_code, 0) << result->output;
    EXPECT_EQ(result->output, "SERVING\n");
  }
}

TEST_F(ServerTest, ClientReachesServerThroughAnAddressList) {
  // Two entries, both this server: exercises the ipv4: target and round_robin.
  const std::string addresses = absl::StrCat(server_->address(), ",", server_->address());
  absl::StatusOr<ProcessResult> result =
      RunProcess({ClientBinary(), "health", "--address=" + addresses});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 0) << result->output;
}

TEST_F(ServerTest, ClientTranslateReportsTheServerError) {
  absl::StatusOr<ProcessResult> result =
      RunProcess({ClientBinary(), "translate", "--address=" + server_->address(), "Hello world."});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 1) << result->output;
  EXPECT_THAT(result->output, HasSubstr("NOT_FOUND"));
}

TEST_F(ServerTest, ClientHealthFailsWithoutAServer) {
  // Port 1 on loopback: nothing listens there.
  absl::StatusOr<ProcessResult> result =
      RunProcess({ClientBinary(), "health", "--address=127.0.0.1:1", "--timeout_s=5"});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_NE(result->exit_code, 0) << result->output;
  EXPECT_THAT(result->output, Not(HasSubstr("SERVING\n")));
}

TEST(ServerLifecycleTest, SigtermDrainsAndExitsZero) {
  absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  const absl::Time start = absl::Now();
  absl::StatusOr<int> exit_code = (*server)->Stop(SIGTERM, absl::Seconds(10));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status() << "\n" << (*server)->Log();
  EXPECT_EQ(*exit_code, 0) << (*server)->Log();
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  EXPECT_THAT((*server)->Log(), HasSubstr("stopped"));
}

// Clients that health-check keep a Watch call open to every replica. SIGTERM
// sends them NOT_SERVING and ends them, so the server exits soon when nothing
// else is in flight, not after --drain_timeout_s (30 s by default). "Soon"
// is bounded at half the drain timeout: stopping the metrics listener alone
// takes up to 2 s (civetweb polls its sockets in 2 s quanta), and a loaded
// 2-core machine adds more.
TEST(ServerLifecycleTest, SigtermEndsHealthWatchesAndExitsWithinSeconds) {
  absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = grpc::health::v1::Health::NewStub((*server)->NewChannel());
  struct Watcher {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReaderInterface<HealthCheckResponse>> reader;
    std::vector<HealthCheckResponse::ServingStatus> seen;
    grpc::Status status;
  };
  std::vector<std::unique_ptr<Watcher>> watchers;
  std::vector<std::thread> threads;
  for (const std::string service : {"", "tserve.v1.Translator", ""}) {
    auto watcher = std::make_unique<Watcher>();
    watcher->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    HealthCheckRequest request;
    request.set_service(service);
    watcher->reader = stub->Watch(&watcher->context, request);
    HealthCheckResponse first;
    ASSERT_TRUE(watcher->reader->Read(&first));
    EXPECT_EQ(first.status(), HealthCheckResponse::SERVING);
    threads.emplace_back([w = watcher.get()] {
      HealthCheckResponse response;
      while (w->reader->Read(&response)) w->seen.push_back(response.status());
      w->status = w->reader->Finish();
    });
    watchers.push_back(std::move(watcher));
  }
  const absl::Time start = absl::Now();
  absl::StatusOr<int> exit_code = (*server)->Stop(SIGTERM, absl::Seconds(40));
  const absl::Duration took = absl::Now() - start;
  for (std::thread& t : threads) t.join();
  ASSERT_TRUE(exit_code.ok()) << exit_code.status() << "\n" << (*server)->Log();
  EXPECT_EQ(*exit_code, 0) << (*server)->Log();
  EXPECT_LT(took, absl::Seconds(15)) << "the default drain timeout is 30 s";
  for (const auto& w : watchers) {
    EXPECT_THAT(w->seen, ::testing::ElementsAre(HealthCheckResponse::NOT_SERVING));
    EXPECT_EQ(w->status.error_code(), grpc::StatusCode::UNAVAILABLE) << w->status.error_message();
  }
}

TEST(ServerLifecycleTest, SigintExitsZero) {
  absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  absl::StatusOr<int> exit_code = (*server)->Stop(SIGINT, absl::Seconds(10));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status() << "\n" << (*server)->Log();
  EXPECT_EQ(*exit_code, 0) << (*server)->Log();
}

TEST(ServerLifecycleTest, ConfiguredThroughEnvironmentVariables) {
  TestServer::Options options;
  // The command line (TestServer passes --grpc_port=0) wins over the
  // environment, so the out-of-range TSERVE_GRPC_PORT is never used.
  options.env = {"TSERVE_GRPC_PORT=70000", "TSERVE_MAX_BATCH_SIZE=7",
                 "TSERVE_COMPUTE_TYPE=float32"};
  absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_THAT((*server)->Log(), HasSubstr("compute type float32"));
  EXPECT_EQ((*server)->Stop().value_or(-1), 0) << (*server)->Log();
}

TEST(ServerLifecycleTest, BusyPortFailsWithAMessage) {
  absl::StatusOr<std::unique_ptr<TestServer>> first = TestServer::Start();
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<ProcessResult> result = RunProcess(
      {ServerBinary(), absl::StrCat("--grpc_port=", (*first)->grpc_port()), "--metrics_port=0"});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 1) << result->output;
  EXPECT_THAT(result->output, HasSubstr("--grpc_port"));
}

// A queue that the largest allowed request cannot fit would refuse it as
// "queue is full, retry" forever: start-up refuses the configuration.
TEST(ServerLifecycleTest, QueueLimitsNoAllowedRequestFitsExitTwoNamingBothFlags) {
  for (const auto& [flags, named] :
       {std::pair{
            std::vector<std::string>{"--max_queue_sentences=10", "--max_texts_per_request=11"},
            std::vector<std::string>{"--max_queue_sentences=10", "--max_texts_per_request=11"}},
        std::pair{std::vector<std::string>{"--max_queue_tokens=1000", "--max_input_tokens=100",
                                           "--max_texts_per_request=11"},
                  std::vector<std::string>{"--max_queue_tokens=1000", "--max_input_tokens",
                                           "--max_texts_per_request"}}}) {
    std::vector<std::string> argv = {ServerBinary(), "--grpc_port=0", "--metrics_port=0"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    RunOptions options;
    options.timeout = absl::Seconds(20);
    absl::StatusOr<ProcessResult> result = RunProcess(argv, options);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->exit_code, 2) << result->output;
    for (const std::string& name : named) EXPECT_THAT(result->output, HasSubstr(name));
  }
}

struct InvalidConfiguration {
  std::vector<std::string> flags;
  std::vector<std::string> env;
  std::string expected_message;
};

class InvalidConfigurationTest : public ::testing::TestWithParam<InvalidConfiguration> {};

TEST_P(InvalidConfigurationTest, ExitsNonZeroWithAMessage) {
  std::vector<std::string> argv = {ServerBinary(), "--grpc_port=0", "--metrics_port=0"};
  argv.insert(argv.end(), GetParam().flags.begin(), GetParam().flags.end());
  RunOptions options;
  options.env = GetParam().env;
  options.timeout = absl::Seconds(30);
  absl::StatusOr<ProcessResult> result = RunProcess(argv, options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_NE(result->exit_code, 0) << result->output;
  EXPECT_LT(result->exit_code, 128) << "crashed:\n" << result->output;
  EXPECT_THAT(result->output, HasSubstr(GetParam().expected_message));
}

INSTANTIATE_TEST_SUITE_P(
    Flags, InvalidConfigurationTest,
    ::testing::Values(
        InvalidConfiguration{{"--grpc_port=70000"}, {}, "--grpc_port=70000 is out of range"},
        InvalidConfiguration{{"--grpc_port=abc"}, {}, "grpc_port"},
        InvalidConfiguration{{"--compute_type=fp16"}, {}, "use auto, float32, bfloat16 or int8"},
        InvalidConfiguration{
            {"--compute_type=int8,other=float32"}, {}, "no --model is named 'other'"},
        InvalidConfiguration{{"--max_batch_size=0"}, {}, "--max_batch_size=0"},
        InvalidConfiguration{
            {"--max_encoder_tokens_per_step=-5"}, {}, "--max_encoder_tokens_per_step=-5"},
        InvalidConfiguration{{"--model=demo=/nonexistent/model"}, {}, "no such directory"},
        InvalidConfiguration{{"--tls_cert=/nonexistent.pem"}, {}, "--tls_key"},
        InvalidConfiguration{{"--no_such_flag=1"}, {}, "no_such_flag"},
        InvalidConfiguration{{"positional"}, {}, "takes only flags"},
        InvalidConfiguration{{}, {"TSERVE_METRICS_PORT=abc"}, "TSERVE_METRICS_PORT"},
        InvalidConfiguration{{}, {"TSERVE_COMPUTE_TYPE=fp16"}, "--compute_type=fp16"}));

}  // namespace
}  // namespace tserve::testing
