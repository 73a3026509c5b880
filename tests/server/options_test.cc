#include "server/options.h"

#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tserve::server {
namespace {

using ::testing::HasSubstr;

TEST(ParseModelSpecTest, NameAndDirectory) {
  absl::StatusOr<ModelSpec> model = ParseModelSpec("demo=models/en-es-demo");
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(*model, (ModelSpec{"demo", "models/en-es-demo"}));
}

TEST(ParseModelSpecTest, DirectoryAloneIsNamedAfterItsBaseName) {
  EXPECT_EQ(ParseModelSpec("/srv/models/opus-mt-en-es").value(),
            (ModelSpec{"opus-mt-en-es", "/srv/models/opus-mt-en-es"}));
  EXPECT_EQ(ParseModelSpec("/srv/models/opus-mt-en-de//").value(),
            (ModelSpec{"opus-mt-en-de", "/srv/models/opus-mt-en-de//"}));
  EXPECT_EQ(ParseModelSpec("local").value(), (ModelSpec{"local", "local"}));
}

TEST(ParseModelSpecTest, EqualsSignInsideAPathIsNotASeparator) {
  // "/data/a=b" has a '/' before '=', so it is a directory, named "a=b"...
  // which is not a valid name: the user must name it.
  absl::StatusOr<ModelSpec> model = ParseModelSpec("/data/run=3/model");
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(*model, (ModelSpec{"model", "/data/run=3/model"}));

  EXPECT_THAT(std::string(ParseModelSpec("/data/run=3").status().message()), HasSubstr("NAME=DIR"));
  EXPECT_EQ(ParseModelSpec("m=/data/run=3").value(), (ModelSpec{"m", "/data/run=3"}));
}

TEST(ParseModelSpecTest, RejectsMissingPartsWithAHint) {
  for (const char* spec : {"", "demo=", "=dir", "/", ".", "models/.."}) {
    absl::StatusOr<ModelSpec> model = ParseModelSpec(spec);
    EXPECT_FALSE(model.ok()) << "'" << spec << "' gave " << model->name << "=" << model->path;
    if (!model.ok()) {
      EXPECT_EQ(model.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(std::string(model.status().message()), HasSubstr("--model"));
    }
  }
}

TEST(ComputeTypeTest, ParsesEveryNameBack) {
  for (engine::ComputeType type : {engine::ComputeType::kFloat32, engine::ComputeType::kBfloat16,
                                   engine::ComputeType::kInt8}) {
    const std::string_view name = engine::ComputeTypeName(type);
    EXPECT_EQ(ParseComputeType(absl::string_view(name.data(), name.size())).value(), type);
  }
  EXPECT_EQ(ParseComputeType("auto").value(), std::nullopt);
  EXPECT_THAT(std::string(ParseComputeType("fp16").status().message()),
              HasSubstr("use auto, float32, bfloat16 or int8"));
}

TEST(ComputeTypeTest, DefaultAndPerModelTypes) {
  std::vector<ModelSpec> models = {{"en-de", "/m/de"}, {"en-fr", "/m/fr"}};
  std::optional<engine::ComputeType> default_type;
  ASSERT_TRUE(ParseComputeTypes("int8, en-fr=float32", default_type, models).ok());
  EXPECT_EQ(default_type, engine::ComputeType::kInt8);
  EXPECT_EQ(models[0].compute_type, std::nullopt);
  EXPECT_EQ(models[1].compute_type, engine::ComputeType::kFloat32);

  // Only per-model entries: the default stays auto.
  models = {{"en-de", "/m/de"}, {"en-fr", "/m/fr"}};
  ASSERT_TRUE(ParseComputeTypes("en-de=bfloat16", default_type, models).ok());
  EXPECT_EQ(default_type, std::nullopt);
  EXPECT_EQ(models[0].compute_type, engine::ComputeType::kBfloat16);
  EXPECT_EQ(models[1].compute_type, std::nullopt);
}

TEST(ComputeTypeTest, RefusesUnknownModelsTypesAndTwoDefaults) {
  std::vector<ModelSpec> models = {{"en-de", "/m/de"}};
  std::optional<engine::ComputeType> default_type;
  absl::Status status = ParseComputeTypes("en-fr=int8", default_type, models);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("no --model is named 'en-fr' (models: en-de)"));
  status = ParseComputeTypes("en-de=fp16", default_type, models);
  EXPECT_THAT(std::string(status.message()), HasSubstr("use auto, float32, bfloat16 or int8"));
  status = ParseComputeTypes("int8,float32", default_type, models);
  EXPECT_THAT(std::string(status.message()), HasSubstr("more than one default type"));
}

TEST(HostPortTest, BracketsIpv6) {
  EXPECT_EQ(HostPort("127.0.0.1", 50051), "127.0.0.1:50051");
  EXPECT_EQ(HostPort("0.0.0.0", 0), "0.0.0.0:0");
  EXPECT_EQ(HostPort("::", 9091), "[::]:9091");
  EXPECT_EQ(HostPort("[::1]", 9091), "[::1]:9091");
  EXPECT_EQ(HostPort("localhost", 1), "localhost:1");
}

class ValidateServerOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::create_directories(dir_ / "model");
    std::ofstream(dir_ / "cert.pem") << "-----BEGIN CERTIFICATE-----\n";
    std::ofstream(dir_ / "key.pem") << "-----BEGIN PRIVATE KEY-----\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const char* name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

TEST_F(ValidateServerOptionsTest, DefaultsAreValid) {
  EXPECT_TRUE(ValidateServerOptions(ServerOptions()).ok());
}

TEST_F(ValidateServerOptionsTest, ZeroModelsAndExistingModelsAreValid) {
  ServerOptions options;
  options.models = {{"a", Path("model")}, {"b", Path("model")}};
  EXPECT_TRUE(ValidateServerOptions(options).ok()) << ValidateServerOptions(options);
}

TEST_F(ValidateServerOptionsTest, PortsMustBeInRangeAndDistinct) {
  ServerOptions options;
  options.grpc_port = 65536;
  EXPECT_THAT(std::string(ValidateServerOptions(options).message()),
              HasSubstr("--grpc_port=65536 is out of range: use a value in [0, 65535]"));
  options.grpc_port = -1;
  EXPECT_FALSE(ValidateServerOptions(options).ok());
  options.grpc_port = 9000;
  options.metrics_port = 9000;
  EXPECT_THAT(std::string(ValidateServerOptions(options).message()),
              HasSubstr("need different ports"));
  options.grpc_port = 0;
  options.metrics_port = 0;  // Two free ports, picked by the system.
  EXPECT_TRUE(ValidateServerOptions(options).ok());
}

TEST_F(ValidateServerOptionsTest, LimitsMustBePositive) {
  ServerOptions options;
  options.batching.max_batch_size = 0;
  options.limits.max_beam_size = -3;
  absl::Status status = ValidateServerOptions(options);
  EXPECT_THAT(std::string(status.message()), HasSubstr("--max_batch_size=0"));
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("--max_beam_size=-3"));  // Every problem at once.
}

// Queue bounds that the largest allowed request cannot fit would answer it
// "queue is full, retry" forever: refused at start-up, naming both flags.
TEST_F(ValidateServerOptionsTest, QueueMustHoldTheLargestAllowedRequest) {
  ServerOptions options;
  options.batching.max_queue_sentences = 100;
  options.limits.max_texts_per_request = 101;
  absl::Status status = ValidateServerOptions(options);
  EXPECT_THAT(std::string(status.message()), HasSubstr("--max_queue_sentences=100"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("--max_texts_per_request=101"));
  options.limits.max_texts_per_request = 100;
  EXPECT_TRUE(ValidateServerOptions(options).ok()) << ValidateServerOptions(options);

  options.batching.max_queue_tokens = 100 * 512 - 1;
  status = ValidateServerOptions(options);
  EXPECT_THAT(std::string(status.message()), HasSubstr("--max_queue_tokens=51199"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("--max_input_tokens"));
  options.limits.max_input_tokens = 511;
  EXPECT_TRUE(ValidateServerOptions(options).ok()) << ValidateServerOptions(options);
}

TEST_F(ValidateServerOptionsTest, EncoderBudgetIsZeroOrPositive) {
  ServerOptions options;
  options.batching.max_encoder_tokens_per_step = 0;  // no bound
  EXPECT_TRUE(ValidateServerOptions(options).ok());
  options.batching.max_encoder_tokens_per_step = -1;
  EXPECT_THAT(std::string(ValidateServerOptions(options).message()),
              HasSubstr("--max_encoder_tokens_per_step=-1"));
}

TEST_F(ValidateServerOptionsTest, ModelDirectoriesMustExistAndNamesBeUnique) {
  ServerOptions options;
  options.models = {{"a", Path("missing")}};
  EXPECT_THAT(std::string(ValidateServerOptions(options).message()),
              HasSubstr("no such directory"));
  options.models = {{"a", Path("model")}, {"a", Path("model")}};
  EXPECT_THAT(std::string(ValidateServerOptions(options).message()),
              HasSubstr("'a' is used twice"));
  options.models = {{"a", Path("cert.pem")}};  // A file is not a model directory.
  EXPECT_THAT(std::string(ValidateServerOptions(options).message()),
              HasSubstr("no such directory"));
}

TEST_F(ValidateServerOptionsTest, TlsFilesGoTogetherAndExist) {
  ServerOptions options;
  options.tls.cert_file = Path("cert.pem");
  EXPECT_THAT(std::string(ValidateServerOptions(options).message()),
              HasSubstr("--tls_cert and --tls_key go together"));
  options.tls.key_file = Path("key.pem");
  EXPECT_TRUE(ValidateServerOptions(options).ok());
  options.tls.client_ca_file = Path("ca.pem");
  EXPECT_THAT(std::string(ValidateServerOptions(options).message()), HasSubstr("--tls_client_ca="));

  ServerOptions ca_only;
  ca_only.tls.client_ca_file = Path("cert.pem");
  EXPECT_THAT(std::string(ValidateServerOptions(ca_only).message()),
              HasSubstr("--tls_client_ca needs TLS"));
}

}  // namespace
}  // namespace tserve::server
