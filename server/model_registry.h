#ifndef TSERVE_SERVER_MODEL_REGISTRY_H_
#define TSERVE_SERVER_MODEL_REGISTRY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/engine.h"
#include "server/batching/scheduler.h"
#include "server/metrics.h"
#include "server/options.h"
#include "server/request_validation.h"

namespace tserve::server {

// One loaded model with its batching scheduler.
struct ServedModel {
  std::string name;
  std::string path;
  engine::ComputeType compute_type = engine::ComputeType::kFloat32;
  std::unique_ptr<engine::TranslationModel> model;
  ModelMetrics* metrics = nullptr;  // owned by Metrics; outlives the scheduler
  std::unique_ptr<Scheduler> scheduler;
  DecodingDefaults defaults;
  double load_seconds = 0;
};

// The compute type to load models with: `requested` itself, or for auto the
// fastest type the engine has for this CPU (engine::FastestComputeType).
engine::ComputeType ResolveComputeType(std::optional<engine::ComputeType> requested);

// The scheduler options of the batching flags.
SchedulerOptions ToSchedulerOptions(const BatchingOptions& batching, int threads);

// Loads `spec`, starts its scheduler (reporting to `metrics`) and warms it up
// with one short translation through the scheduler.
absl::StatusOr<std::unique_ptr<ServedModel>> LoadServedModel(const ModelSpec& spec,
                                                             const ServerOptions& options,
                                                             engine::ComputeType compute_type,
                                                             Metrics& metrics);

// The loaded models, by name. Filled before serving starts, then read-only
// (Drain and Stop aside), so lookups need no lock.
class ModelRegistry {
 public:
  ModelRegistry() = default;
  ~ModelRegistry();
  ModelRegistry(const ModelRegistry&) = delete;
  ModelRegistry& operator=(const ModelRegistry&) = delete;

  void Add(std::unique_ptr<ServedModel> model);

  // The model a request's `model` field names. Empty selects the only model
  // when exactly one is loaded (INVALID_ARGUMENT listing the names
  // otherwise); an unknown name is NOT_FOUND, listing the loaded models.
  absl::StatusOr<ServedModel*> Resolve(absl::string_view name) const;

  // The model answering requests with an empty `model` field, or null.
  const ServedModel* default_model() const;

  const std::vector<std::unique_ptr<ServedModel>>& models() const { return models_; }

  // Stops admitting on every scheduler and waits until admitted work is done
  // or `deadline` passes. True when everything finished.
  bool Drain(absl::Time deadline);
  // Stops every scheduler; work still queued or decoding fails UNAVAILABLE.
  void Stop();

 private:
  std::string Names() const;

  std::vector<std::unique_ptr<ServedModel>> models_;
};

}  // namespace tserve::server

#endif  // TSERVE_SERVER_MODEL_REGISTRY_H_
