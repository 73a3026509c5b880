#include "server/port_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tserve::server {
namespace {

TEST(WritePortFileTest, WritesBothPortsAndLeavesNoTemporaryFile) {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "port_file";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "ports").string();

  ASSERT_TRUE(WritePortFile(path, 50051, 9091).ok());
  ASSERT_TRUE(WritePortFile(path, 40000, 40001).ok());  // Replaces the old file.

  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  EXPECT_EQ(contents.str(), "grpc_port=40000\nmetrics_port=40001\n");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir),
                          std::filesystem::directory_iterator()),
            1);
  std::filesystem::remove_all(dir);
}

TEST(WritePortFileTest, FailsWithTheFlagNameWhenTheDirectoryIsMissing) {
  absl::Status status = WritePortFile("/nonexistent/dir/ports", 1, 2);
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("--port_file"));
}

}  // namespace
}  // namespace tserve::server
