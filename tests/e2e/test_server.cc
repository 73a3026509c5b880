#include "tests/e2e/test_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"

extern char** environ;

namespace tserve::testing {

namespace {

namespace fs = std::filesystem;

absl::Status ErrnoError(absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

// The test's environment without TSERVE_* variables, plus `extra`.
std::vector<std::string> ChildEnvironment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (!absl::StartsWith(*entry, "TSERVE_")) env.emplace_back(*entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

// Starts `argv` with stdout and stderr appended to `output_file` and stdin
// from `stdin_file` (or /dev/null). The child gets default signal handling
// and an empty signal mask whatever the test process uses.
absl::StatusOr<pid_t> Spawn(std::vector<std::string> argv, const std::vector<std::string>& env,
                            const std::string& stdin_file, const std::string& output_file) {
  if (argv.empty()) return absl::InvalidArgumentError("empty command line");
  std::vector<std::string> environment = ChildEnvironment(env);
  std::vector<char*> argv_pointers = CStrings(argv);
  std::vector<char*> env_pointers = CStrings(environment);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(
      &actions, STDIN_FILENO, stdin_file.empty() ? "/dev/null" : stdin_file.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output_file.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);

  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t empty;
  sigemptyset(&empty);
  posix_spawnattr_setsigmask(&attributes, &empty);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int signal : {SIGTERM, SIGINT, SIGPIPE, SIGHUP}) sigaddset(&defaults, signal);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  pid_t pid = -1;
  const int error = posix_spawnp(&pid, argv_pointers[0], &actions, &attributes,
                                 argv_pointers.data(), env_pointers.data());
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    return absl::InternalError(absl::StrCat("cannot start ", argv[0], ": ", std::strerror(error)));
  }
  return pid;
}

int ExitCode(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

// Polls for the exit of `pid`; returns its exit code or DeadlineExceeded.
absl::StatusOr<int> WaitPid(pid_t pid, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    int wait_status = 0;
    const pid_t done = waitpid(pid, &wait_status, WNOHANG);
    if (done == pid) return ExitCode(wait_status);
    if (done < 0 && errno != EINTR) return ErrnoError("waitpid");
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("process ", pid, " still runs after ", absl::FormatDuration(timeout)));
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
}

void KillAndReap(pid_t pid) {
  kill(pid, SIGKILL);
  int wait_status = 0;
  while (waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
}

// Parses the "key=value" lines the server writes to --port_file.
absl::Status ParsePortFile(const std::string& contents, int* grpc_port, int* metrics_port) {
  for (absl::string_view line : absl::StrSplit(contents, '\n', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(line, '=');
    int value = 0;
    if (!absl::SimpleAtoi(kv.second, &value)) continue;
    if (kv.first == "grpc_port") *grpc_port = value;
    if (kv.first == "metrics_port") *metrics_port = value;
  }
  if (*grpc_port <= 0 || *metrics_port <= 0) {
    return absl::InternalError(absl::StrCat("malformed port file: '", contents, "'"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string ServerBinary() { return TSERVE_BINARY_DIR "/server/tserve-server"; }
std::string ClientBinary() { return TSERVE_BINARY_DIR "/client/tserve-client"; }

std::string FindInPath(absl::string_view program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return "";
  for (absl::string_view dir : absl::StrSplit(path, ':', absl::SkipEmpty())) {
    std::string candidate = absl::StrCat(dir, "/", program);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      absl::StrCat(base != nullptr && *base != '\0' ? base : "/tmp", "/tserve-test-XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) {
    std::abort();  // Tests cannot run without a scratch directory.
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code error;
  fs::remove_all(path_, error);
}

std::string TempDir::File(absl::string_view name) const { return absl::StrCat(path_, "/", name); }

absl::Status WriteFile(const std::string& path, absl::string_view contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

absl::StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                         const RunOptions& options) {
  TempDir dir;
  const std::string output_file = dir.File("output");
  absl::StatusOr<pid_t> pid = Spawn(argv, options.env, options.stdin_file, output_file);
  if (!pid.ok()) return pid.status();
  absl::StatusOr<int> exit_code = WaitPid(*pid, options.timeout);
  if (!exit_code.ok()) {
    KillAndReap(*pid);
    return absl::DeadlineExceededError(
        absl::StrCat(argv[0], " ran longer than ", absl::FormatDuration(options.timeout),
                     "; output:\n", ReadFile(output_file).value_or("")));
  }
  ProcessResult result;
  result.exit_code = *exit_code;
  result.output = ReadFile(output_file).value_or("");
  return result;
}

absl::StatusOr<HttpResponse> HttpGet(int port, absl::string_view path, absl::Duration timeout) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ErrnoError("socket");
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{fd};

  timeval tv = absl::ToTimeval(timeout);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    return ErrnoError(absl::StrCat("connect to 127.0.0.1:", port));
  }

  const std::string request =
      absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: 127.0.0.1:", port, "\r\n\r\n");
  for (size_t sent = 0; sent < request.size();) {
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return ErrnoError("send");
    sent += static_cast<size_t>(n);
  }
  std::string raw;
  char buffer[16384];
  while (true) {
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("recv");
    }
    raw.append(buffer, static_cast<size_t>(n));
  }

  const size_t header_end = raw.find("\r\n\r\n");
  if (header_end == std::string::npos) {
    return absl::InternalError(absl::StrCat("malformed HTTP response: '", raw, "'"));
  }
  HttpResponse response;
  response.headers = raw.substr(0, header_end);
  response.body = raw.substr(header_end + 4);
  // "HTTP/1.1 200 OK"
  std::vector<absl::string_view> status_line =
      absl::StrSplit(absl::string_view(response.headers).substr(0, response.headers.find("\r\n")),
                     absl::MaxSplits(' ', 2));
  if (status_line.size() < 2 || !absl::SimpleAtoi(status_line[1], &response.status_code)) {
    return absl::InternalError(absl::StrCat("malformed HTTP status line in '", raw, "'"));
  }
  return response;
}

absl::StatusOr<std::unique_ptr<TestServer>> TestServer::Start(Options options) {
  std::unique_ptr<TestServer> server(new TestServer());
  server->options_ = std::move(options);
  if (server->options_.credentials == nullptr) {
    server->options_.credentials = grpc::InsecureChannelCredentials();
  }
  server->dir_ = std::make_unique<TempDir>();
  const std::string port_file = server->dir_->File("ports");

  std::vector<std::string> argv = {ServerBinary(), "--listen_address=127.0.0.1", "--grpc_port=0",
                                   "--metrics_port=0", absl::StrCat("--port_file=", port_file)};
  argv.insert(argv.end(), server->options_.flags.begin(), server->options_.flags.end());
  absl::StatusOr<pid_t> pid =
      Spawn(argv, server->options_.env, "", server->dir_->File("server.log"));
  if (!pid.ok()) return pid.status();
  server->pid_ = *pid;

  const absl::Time deadline = absl::Now() + server->options_.start_timeout;
  while (!fs::exists(port_file)) {
    absl::StatusOr<int> exit_code = WaitPid(server->pid_, absl::ZeroDuration());
    if (exit_code.ok()) {
      server->pid_ = -1;
      return absl::FailedPreconditionError(absl::StrCat("tserve-server exited with status ",
                                                        *exit_code,
                                                        " before it wrote its port file; "
                                                        "output:\n",
                                                        server->Log()));
    }
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "tserve-server wrote no port file within ",
          absl::FormatDuration(server->options_.start_timeout), "; output:\n", server->Log()));
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  absl::StatusOr<std::string> ports = ReadFile(port_file);
  if (!ports.ok()) return ports.status();
  if (absl::Status status = ParsePortFile(*ports, &server->grpc_port_, &server->metrics_port_);
      !status.ok()) {
    return status;
  }
  if (absl::Status status = server->WaitUntilServing(deadline - absl::Now()); !status.ok()) {
    return absl::Status(status.code(),
                        absl::StrCat(status.message(), "; server output:\n", server->Log()));
  }
  return server;
}

TestServer::~TestServer() {
  if (pid_ > 0) KillAndReap(pid_);
}

std::string TestServer::address() const { return absl::StrCat("127.0.0.1:", grpc_port_); }

std::shared_ptr<grpc::Channel> TestServer::NewChannel() const {
  return NewChannel(options_.credentials);
}

std::shared_ptr<grpc::Channel> TestServer::NewChannel(
    const std::shared_ptr<grpc::ChannelCredentials>& credentials) const {
  return grpc::CreateChannel(address(), credentials);
}

absl::Status TestServer::WaitUntilServing(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  auto stub = grpc::health::v1::Health::NewStub(NewChannel());
  grpc::Status last;
  while (absl::Now() < deadline) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    last = stub->Check(&context, request, &response);
    if (last.ok() && response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      return absl::OkStatus();
    }
    if (WaitPid(pid_, absl::ZeroDuration()).ok()) {
      pid_ = -1;
      return absl::FailedPreconditionError("tserve-server exited during start-up");
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("tserve-server was not SERVING in time; last health check: ", last.error_code(),
                   " ", last.error_message()));
}

absl::Status TestServer::Signal(int signal) {
  if (pid_ <= 0) return absl::FailedPreconditionError("the server is not running");
  if (kill(pid_, signal) != 0) return ErrnoError("kill");
  return absl::OkStatus();
}

absl::StatusOr<int> TestServer::WaitForExit(absl::Duration timeout) {
  if (pid_ <= 0) {
    if (exit_code_ >= 0) return exit_code_;
    return absl::FailedPreconditionError("the server is not running");
  }
  absl::StatusOr<int> exit_code = WaitPid(pid_, timeout);
  if (exit_code.ok()) {
    pid_ = -1;
    exit_code_ = *exit_code;
  }
  return exit_code;
}

absl::StatusOr<int> TestServer::Stop(int signal, absl::Duration timeout) {
  if (absl::Status status = Signal(signal); !status.ok()) return status;
  return WaitForExit(timeout);
}

std::string TestServer::Log() const { return ReadFile(dir_->File("server.log")).value_or(""); }

}  // namespace tserve::testing
