#ifndef TSERVE_TESTS_E2E_TEST_SERVER_H_
#define TSERVE_TESTS_E2E_TEST_SERVER_H_

// Helpers for end-to-end tests that run the real binaries: start
// tserve-server on free loopback ports and talk to it, run a process to
// completion, fetch a page over HTTP, make temporary directories.

#include <sys/types.h>

#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace tserve::testing {

// Paths of the binaries under test, in the build tree.
std::string ServerBinary();
std::string ClientBinary();

// Returns the full path of `program` found in PATH, or "" when absent.
std::string FindInPath(absl::string_view program);

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on
// destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string File(absl::string_view name) const;

 private:
  std::string path_;
};

// Writes `contents` to `path`, replacing the file.
absl::Status WriteFile(const std::string& path, absl::string_view contents);
absl::StatusOr<std::string> ReadFile(const std::string& path);

struct RunOptions {
  // "NAME=value" entries added to the environment. The test's own TSERVE_*
  // variables are never passed on, so tests are not affected by the shell.
  std::vector<std::string> env;
  // File connected to stdin; /dev/null when empty.
  std::string stdin_file;
  // The process is killed (SIGKILL) when it runs longer.
  absl::Duration timeout = absl::Seconds(60);
};

struct ProcessResult {
  // The exit status, or 128 + N when the process was ended by signal N.
  int exit_code = -1;
  // stdout and stderr, interleaved as written.
  std::string output;
};

// Runs `argv` (argv[0] looked up in PATH when it has no '/') to completion.
absl::StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                         const RunOptions& options = {});

struct HttpResponse {
  int status_code = 0;
  std::string headers;
  std::string body;
};

// A minimal HTTP/1.0 GET of http://127.0.0.1:port/path.
absl::StatusOr<HttpResponse> HttpGet(int port, absl::string_view path,
                                     absl::Duration timeout = absl::Seconds(10));

// One tserve-server process on free loopback ports, for the duration of a
// test. Typical use:
//
//   absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start();
//   ASSERT_TRUE(server.ok()) << server.status();
//   auto stub = grpc::health::v1::Health::NewStub((*server)->NewChannel());
//   ...
//   EXPECT_EQ((*server)->Stop(), 0);
class TestServer {
 public:
  struct Options {
    // Extra flags, after the defaults (--listen_address=127.0.0.1
    // --grpc_port=0 --metrics_port=0 --port_file=...), so they override them.
    std::vector<std::string> flags;
    // "NAME=value" entries added to the server's environment.
    std::vector<std::string> env;
    // Credentials of the channels NewChannel() makes and of the readiness
    // check. Insecure when null.
    std::shared_ptr<grpc::ChannelCredentials> credentials;
    // How long Start() waits for the port file and a SERVING health check.
    absl::Duration start_timeout = absl::Seconds(60);
  };

  // Starts the server and waits until the overall health status is SERVING.
  // On failure (the process exited, or the timeout passed) the status
  // message includes the server's output.
  static absl::StatusOr<std::unique_ptr<TestServer>> Start(Options options);
  static absl::StatusOr<std::unique_ptr<TestServer>> Start() { return Start(Options()); }

  // Kills the server (SIGKILL) if it still runs.
  ~TestServer();

  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_port_; }
  // "127.0.0.1:<grpc port>", for tserve-client --address and channels.
  std::string address() const;
  pid_t pid() const { return pid_; }

  // A new channel to the server, with Options::credentials or the given ones.
  std::shared_ptr<grpc::Channel> NewChannel() const;
  std::shared_ptr<grpc::Channel> NewChannel(
      const std::shared_ptr<grpc::ChannelCredentials>& credentials) const;

  // Sends a signal to the server.
  absl::Status Signal(int signal);

  // Waits for the server to exit; returns its exit code (128 + N when ended
  // by signal N). DeadlineExceeded when it still runs after `timeout`.
  absl::StatusOr<int> WaitForExit(absl::Duration timeout);

  // Signal() then WaitForExit().
  absl::StatusOr<int> Stop(int signal = SIGTERM, absl::Duration timeout = absl::Seconds(30));

  // Everything the server wrote to stdout and stderr so far.
  std::string Log() const;

 private:
  TestServer() = default;
  absl::Status WaitUntilServing(absl::Duration timeout);

  Options options_;
  std::unique_ptr<TempDir> dir_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
};

}  // namespace tserve::testing

#endif  // TSERVE_TESTS_E2E_TEST_SERVER_H_
