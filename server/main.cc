// tserve-server: serves encoder-decoder Transformer models over gRPC.
// Exit status: 0 after a clean shutdown (SIGTERM or SIGINT), 1 when the
// server cannot start, 2 for an invalid configuration. With --check_model:
// 0 when the model can be served, 1 when not.

#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/core/malloc_policy.h"
#include "engine/model_check.h"
#include "server/build_info.h"
#include "server/flags.h"
#include "server/log.h"
#include "server/model_registry.h"
#include "server/options.h"
#include "server/server.h"
#include "server/signals.h"

namespace tserve::server {
namespace {

// --check_model: the report on stdout; exit status 0 when the model can be served.
int CheckModel(const ServerOptions& options) {
  engine::LoadOptions load;
  load.threads = options.threads;
  load.compute_type = ResolveComputeType(options.compute_type);
  const engine::ModelCheck check = engine::CheckModelDirectory(options.check_model, load);
  std::fwrite(check.report.data(), 1, check.report.size(), stdout);
  return check.ok ? 0 : 1;
}

int Run(int argc, char** argv) {
  // Before any thread exists, so that every thread inherits the mask.
  BlockTerminationSignals();

  absl::StatusOr<ServerOptions> options = ParseServerFlags(argc, argv);
  if (!options.ok()) {
    LogError(absl::StrCat("invalid configuration: ", options.status().message()));
    return 2;
  }

  if (!options->check_model.empty()) return CheckModel(*options);

  const std::string compute_type(
      engine::ComputeTypeName(ResolveComputeType(options->compute_type)));
  LogInfo(
      absl::StrCat("tserve-server ", Version(), " (", Compiler(), ") starting; default compute type ",
                   compute_type, ", threads ",
                   options->threads == 0 ? std::string("auto") : std::to_string(options->threads)));
  if (options->models.empty()) {
    LogWarning("no --model given: serving health, reflection and metrics only");
  }

  Server server(*options);
  if (absl::Status status = server.Start(); !status.ok()) {
    LogError(absl::StrCat("cannot start: ", status.message()));
    return 1;
  }
  // A signal during loading stays pending and is taken once loading ends.
  if (absl::Status status = server.LoadModels(); !status.ok()) {
    LogError(absl::StrCat("cannot load models: ", status.message()));
    server.Shutdown();
    return 1;
  }
  LogInfo("serving");

  const int signal = WaitForTerminationSignal();
  ExitOnNextTerminationSignal();
  LogInfo(absl::StrCat("signal ", signal, ": draining for up to ",
                       absl::FormatDuration(options->drain_timeout)));
  server.Shutdown();
  LogInfo("stopped");
  return 0;
}

}  // namespace
}  // namespace tserve::server

int main(int argc, char** argv) {
  tserve::engine::UseFixedMallocThresholds();
  return tserve::server::Run(argc, argv);
}
