#include "server/flags.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/env_flags.h"

ABSL_DECLARE_FLAG(int32_t, grpc_port);
ABSL_DECLARE_FLAG(int32_t, max_batch_size);
ABSL_DECLARE_FLAG(std::string, compute_type);
ABSL_DECLARE_FLAG(std::vector<std::string>, model);

namespace tserve::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A fake environment.
EnvironmentLookup Env(std::map<std::string, std::string> variables) {
  return [variables = std::move(variables)](const char* name) -> const char* {
    auto it = variables.find(name);
    return it == variables.end() ? nullptr : it->second.c_str();
  };
}

// Runs ParseServerFlags on a command line; the flags are restored afterwards.
absl::StatusOr<ServerOptions> Parse(std::vector<std::string> args,
                                    std::map<std::string, std::string> env = {}) {
  absl::FlagSaver saver;
  args.insert(args.begin(), "tserve-server");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  return ParseServerFlags(static_cast<int>(args.size()), argv.data(), Env(std::move(env)));
}

TEST(EnvironmentVariableForFlagTest, PrefixedUpperCase) {
  EXPECT_EQ(EnvironmentVariableForFlag("grpc_port"), "TSERVE_GRPC_PORT");
  EXPECT_EQ(EnvironmentVariableForFlag("max_queue_delay_ms"), "TSERVE_MAX_QUEUE_DELAY_MS");
}

TEST(ApplyEnvironmentToFlagsTest, SetsFlagsOfEveryType) {
  absl::FlagSaver saver;
  ASSERT_TRUE(ApplyEnvironmentToFlags(Env({{"TSERVE_GRPC_PORT", "6000"},
                                           {"TSERVE_COMPUTE_TYPE", "int8"},
                                           {"TSERVE_MODEL", "a=/m/a,b=/m/b"},
                                           {"UNRELATED", "x"}}))
                  .ok());
  EXPECT_EQ(absl::GetFlag(FLAGS_grpc_port), 6000);
  EXPECT_EQ(absl::GetFlag(FLAGS_compute_type), "int8");
  EXPECT_THAT(absl::GetFlag(FLAGS_model), ElementsAre("a=/m/a", "b=/m/b"));
  EXPECT_EQ(absl::GetFlag(FLAGS_max_batch_size), 32);  // Untouched.
}

TEST(ApplyEnvironmentToFlagsTest, ReportsEveryInvalidValueWithItsVariable) {
  absl::FlagSaver saver;
  absl::Status status = ApplyEnvironmentToFlags(
      Env({{"TSERVE_GRPC_PORT", "fifty"}, {"TSERVE_MAX_BATCH_SIZE", "1.5"}}));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("'fifty' in environment variable TSERVE_GRPC_PORT"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("TSERVE_MAX_BATCH_SIZE"));
}

TEST(ApplyEnvironmentToFlagsTest, LeavesAbseilsOwnFlagsAlone) {
  absl::FlagSaver saver;
  // TSERVE_HELP would otherwise make the next parse print help and exit.
  EXPECT_TRUE(
      ApplyEnvironmentToFlags(Env({{"TSERVE_HELP", "true"}, {"TSERVE_FLAGFILE", "/nonexistent"}}))
          .ok());
  EXPECT_TRUE(Parse({}).ok());
}

TEST(ParseServerFlagsTest, Defaults) {
  absl::FlagSaver saver;
  absl::StatusOr<ServerOptions> options = Parse({});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->listen_address, "127.0.0.1");
  EXPECT_EQ(options->grpc_port, 50051);
  EXPECT_EQ(options->metrics_port, 9091);
  EXPECT_TRUE(options->models.empty());
  EXPECT_FALSE(options->compute_type.has_value());  // auto
  EXPECT_EQ(options->batching.max_batch_size, 32);
  EXPECT_EQ(options->batching.max_batch_tokens, 8192);
  EXPECT_EQ(options->batching.max_queue_delay, absl::Milliseconds(5));
  EXPECT_EQ(options->batching.max_queue_sentences, 1024);
  EXPECT_EQ(options->batching.max_queue_tokens, 262144);
  EXPECT_EQ(options->batching.max_live_sequences, 256);
  EXPECT_EQ(options->batching.max_encoder_tokens_per_step, 32);
  EXPECT_EQ(options->limits.max_input_tokens, 512);
  EXPECT_EQ(options->limits.max_decoding_length, 256);
  EXPECT_EQ(options->limits.max_beam_size, 8);
  EXPECT_EQ(options->limits.max_texts_per_request, 256);
  EXPECT_EQ(options->max_message_bytes, 16 << 20);
  EXPECT_EQ(options->drain_timeout, absl::Seconds(30));
  EXPECT_EQ(options->max_connection_age, absl::ZeroDuration());
  EXPECT_FALSE(options->tls.enabled());
}

TEST(ParseServerFlagsTest, CommandLineWinsOverEnvironment) {
  absl::FlagSaver saver;
  absl::StatusOr<ServerOptions> options =
      Parse({"--grpc_port=7000"}, {{"TSERVE_GRPC_PORT", "8000"}, {"TSERVE_METRICS_PORT", "8001"}});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->grpc_port, 7000);
  EXPECT_EQ(options->metrics_port, 8001);
}

TEST(ParseServerFlagsTest, MaxConnectionAgeFromEnvironment) {
  absl::FlagSaver saver;
  absl::StatusOr<ServerOptions> options = Parse({}, {{"TSERVE_MAX_CONNECTION_AGE_S", "300"}});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->max_connection_age, absl::Seconds(300));
  EXPECT_THAT(std::string(Parse({"--max_connection_age_s=-1"}).status().message()),
              HasSubstr("max_connection_age_s"));
}

TEST(ParseServerFlagsTest, RepeatedModelFlagsAccumulate) {
  absl::FlagSaver saver;
  const std::string dir = ::testing::TempDir();
  absl::StatusOr<ServerOptions> options =
      Parse({"--model=a=" + dir, "--threads=2", "--model", "b=" + dir, "-model=c=" + dir});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_THAT(options->models,
              ElementsAre(ModelSpec{"a", dir}, ModelSpec{"b", dir}, ModelSpec{"c", dir}));
  EXPECT_EQ(options->threads, 2);
}

TEST(ParseServerFlagsTest, InvalidValuesAreReported) {
  absl::FlagSaver saver;
  EXPECT_THAT(std::string(Parse({"--compute_type=fp16"}).status().message()), HasSubstr("fp16"));
  EXPECT_THAT(std::string(Parse({}, {{"TSERVE_MAX_QUEUE_TOKENS", "0"}}).status().message()),
              HasSubstr("--max_queue_tokens=0"));
  EXPECT_THAT(std::string(Parse({"--model=x=/nonexistent/dir"}).status().message()),
              HasSubstr("no such directory"));
  EXPECT_THAT(std::string(Parse({"serve"}).status().message()), HasSubstr("takes only flags"));
}

TEST(MergeRepeatedListFlagTest, JoinsOccurrencesAtTheFirstPosition) {
  EXPECT_THAT(
      MergeRepeatedListFlag({"bin", "--model=a", "--x=1", "--model", "b", "-model=c"}, "model"),
      ElementsAre("bin", "--model=a,b,c", "--x=1"));
}

TEST(MergeRepeatedListFlagTest, LeavesOtherArgumentsAlone) {
  EXPECT_THAT(MergeRepeatedListFlag({"bin", "--models=a", "--x"}, "model"),
              ElementsAre("bin", "--models=a", "--x"));
  EXPECT_THAT(MergeRepeatedListFlag({"bin", "--model=a", "--", "--model=b"}, "model"),
              ElementsAre("bin", "--model=a", "--", "--model=b"));
  // A trailing flag without its value is left for the parser to report.
  EXPECT_THAT(MergeRepeatedListFlag({"bin", "--model"}, "model"), ElementsAre("bin", "--model"));
  EXPECT_THAT(MergeRepeatedListFlag({"bin", "--model="}, "model"), ElementsAre("bin", "--model="));
}

}  // namespace
}  // namespace tserve::server
