#include "tests/deploy/prometheus_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <regex>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"

extern char** environ;

namespace tserve::testing {

namespace {

// Prometheus binds the port itself, so a port that was free a moment ago may
// be taken by then: Start() tries a few.
constexpr int kLaunchAttempts = 5;
// Debian's prometheus replays no WAL in a fresh directory and is ready within
// seconds; this only bounds a broken start.
constexpr absl::Duration kReadyTimeout = absl::Seconds(60);

absl::StatusOr<int> FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  close(fd);
  if (!ok) return absl::InternalError(absl::StrCat("bind: ", std::strerror(errno)));
  return ntohs(address.sin_port);
}

// Starts `argv` in the background with stdout and stderr appended to
// `log_file`.
absl::StatusOr<pid_t> SpawnLogged(std::vector<std::string> argv, const std::string& log_file) {
  std::vector<char*> pointers;
  for (std::string& arg : argv) pointers.push_back(arg.data());
  pointers.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_file.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  const int error = posix_spawnp(&pid, pointers[0], &actions, nullptr, pointers.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    return absl::InternalError(absl::StrCat("cannot start ", argv[0], ": ", std::strerror(error)));
  }
  return pid;
}

bool Exited(pid_t pid) {
  int status = 0;
  return waitpid(pid, &status, WNOHANG) == pid;
}

// Counts the matches of `pattern` in `text`, then replaces them all.
int ReplaceAll(std::string& text, const std::regex& pattern, const std::string& replacement) {
  const int count = static_cast<int>(std::distance(
      std::sregex_iterator(text.begin(), text.end(), pattern), std::sregex_iterator()));
  text = std::regex_replace(text, pattern, replacement);
  return count;
}

double ParseValue(const nlohmann::json& pair) {
  // [ <unix time>, "<value>" ]; strtod reads "NaN", "+Inf" and "-Inf".
  const std::string text = pair.at(1).get<std::string>();
  return std::strtod(text.c_str(), nullptr);
}

}  // namespace

absl::StatusOr<std::string> RewriteScrapeConfig(absl::string_view config, absl::string_view target,
                                                absl::string_view interval) {
  std::string text(config);
  // Two-digit group references ($01), since the value that follows may start
  // with a digit ("$11s" would mean group 11).
  // Flow-style target lists: `targets: ["host:port", ...]`.
  const int targets = ReplaceAll(text, std::regex(R"((targets:\s*\[)[^\]]*(\]))"),
                                 absl::StrCat("$01\"", target, "\"$02"));
  const int intervals = ReplaceAll(
      text, std::regex(R"(((?:scrape_interval|evaluation_interval|scrape_timeout):\s*)\S+)"),
      absl::StrCat("$01", interval));
  if (targets == 0 || intervals == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("the Prometheus configuration has ", targets, " `targets: [...]` lists and ",
                     intervals, " intervals to rewrite; expected at least one of each"));
  }
  return text;
}

bool QueryResult::HasFiniteSample() const {
  for (const QuerySample& sample : samples) {
    if (std::isfinite(sample.value)) return true;
  }
  return false;
}

absl::StatusOr<std::unique_ptr<PrometheusServer>> PrometheusServer::Start(
    absl::string_view config) {
  std::unique_ptr<PrometheusServer> server(new PrometheusServer());
  server->dir_ = std::make_unique<TempDir>();
  const std::string config_file = server->dir_->File("prometheus.yml");
  if (absl::Status status = WriteFile(config_file, config); !status.ok()) return status;

  absl::StatusOr<ProcessResult> check = RunProcess({"promtool", "check", "config", config_file});
  if (!check.ok()) return check.status();
  if (check->exit_code != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("promtool check config rejects the configuration:\n", check->output,
                     "\nconfiguration:\n", config));
  }

  absl::Status launched = absl::UnknownError("not started");
  for (int attempt = 0; attempt < kLaunchAttempts && !launched.ok(); ++attempt) {
    absl::StatusOr<int> port = FreeLoopbackPort();
    if (!port.ok()) return port.status();
    launched = server->Launch(*port);
  }
  if (!launched.ok()) return launched;
  return server;
}

absl::Status PrometheusServer::Launch(int port) {
  port_ = port;
  absl::StatusOr<pid_t> pid =
      SpawnLogged({"prometheus", absl::StrCat("--config.file=", dir_->File("prometheus.yml")),
                   absl::StrCat("--storage.tsdb.path=", dir_->File("data")),
                   absl::StrCat("--web.listen-address=127.0.0.1:", port), "--log.level=warn"},
                  dir_->File("prometheus.log"));
  if (!pid.ok()) return pid.status();
  pid_ = *pid;
  absl::Status ready = WaitUntilReady(kReadyTimeout);
  if (!ready.ok() && pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  return ready;
}

absl::Status PrometheusServer::WaitUntilReady(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (Exited(pid_)) {
      pid_ = -1;
      return absl::UnavailableError(absl::StrCat("prometheus exited during start-up:\n", Log()));
    }
    absl::StatusOr<HttpResponse> ready = HttpGet(port_, "/-/ready", absl::Seconds(5));
    if (ready.ok() && ready->status_code == 200) return absl::OkStatus();
    absl::SleepFor(absl::Milliseconds(100));
  }
  return absl::DeadlineExceededError(absl::StrCat("prometheus was not ready within ",
                                                  absl::FormatDuration(timeout), ":\n", Log()));
}

PrometheusServer::~PrometheusServer() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!Exited(pid_)) {
    if (absl::Now() >= deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      break;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
}

absl::StatusOr<QueryResult> PrometheusServer::Query(absl::string_view expression) const {
  absl::StatusOr<HttpResponse> response =
      HttpGet(port_, absl::StrCat("/api/v1/query?query=", UrlEncode(expression)));
  if (!response.ok()) return response.status();
  const nlohmann::json body = nlohmann::json::parse(response->body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return absl::InternalError(absl::StrCat("not JSON: ", response->body));
  }
  if (response->status_code != 200 || body.value("status", "") != "success") {
    return absl::InvalidArgumentError(
        absl::StrCat("prometheus rejects `", expression, "`: ", response->body));
  }
  QueryResult result;
  result.body = response->body;
  const nlohmann::json& data = body.at("data");
  result.result_type = data.at("resultType").get<std::string>();
  const nlohmann::json& values = data.at("result");
  if (result.result_type == "scalar") {
    result.samples.push_back({{}, ParseValue(values)});
  } else if (result.result_type == "vector") {
    for (const nlohmann::json& series : values) {
      QuerySample sample;
      sample.labels = series.at("metric").get<std::map<std::string, std::string>>();
      sample.value = ParseValue(series.at("value"));
      result.samples.push_back(std::move(sample));
    }
  }
  return result;
}

absl::StatusOr<QueryResult> PrometheusServer::QueryUntilFinite(absl::string_view expression,
                                                               absl::Duration timeout,
                                                               absl::Duration poll) const {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    absl::StatusOr<QueryResult> result = Query(expression);
    if (!result.ok() && absl::IsInvalidArgument(result.status())) return result;
    if (result.ok() && result->HasFiniteSample()) return result;
    if (absl::Now() >= deadline) return result;
    absl::SleepFor(poll);
  }
}

std::string PrometheusServer::Log() const {
  return ReadFile(dir_->File("prometheus.log")).value_or("");
}

std::string UrlEncode(absl::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded.push_back(static_cast<char>(c));
    } else {
      encoded.push_back('%');
      encoded.push_back(kHex[c >> 4]);
      encoded.push_back(kHex[c & 0xF]);
    }
  }
  return encoded;
}

}  // namespace tserve::testing
