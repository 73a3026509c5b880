#include "server/model_registry.h"

#include <future>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "engine/model_check.h"

namespace tserve::server {

engine::ComputeType ResolveComputeType(std::optional<engine::ComputeType> requested) {
  return requested.value_or(engine::FastestComputeType());
}

SchedulerOptions ToSchedulerOptions(const BatchingOptions& batching, int threads) {
  SchedulerOptions s;
  s.max_batch_size = batching.max_batch_size;
  s.max_batch_tokens = batching.max_batch_tokens;
  s.max_queue_delay = batching.max_queue_delay;
  s.max_queue_sentences = batching.max_queue_sentences;
  s.max_queue_tokens = batching.max_queue_tokens;
  s.max_live_rows = batching.max_live_sequences;
  s.max_encoder_tokens_per_step = batching.max_encoder_tokens_per_step;
  s.threads = threads;
  return s;
}

absl::StatusOr<std::unique_ptr<ServedModel>> LoadServedModel(const ModelSpec& spec,
                                                             const ServerOptions& options,
                                                             engine::ComputeType compute_type,
                                                             Metrics& metrics) {
  const absl::Time start = absl::Now();
  auto served = std::make_unique<ServedModel>();
  served->name = spec.name;
  served->path = spec.path;
  served->compute_type = compute_type;
  engine::LoadOptions load;
  load.threads = options.threads;
  load.compute_type = compute_type;
  absl::StatusOr<std::unique_ptr<engine::TranslationModel>> model =
      engine::TranslationModel::Load(spec.path, load);
  if (!model.ok()) {
    return absl::Status(model.status().code(), absl::StrCat("model ", spec.name, " (", spec.path,
                                                            "): ", model.status().message()));
  }
  served->model = std::move(model).value();
  served->defaults = ComputeDefaults(served->model->config(), options.limits);
  served->metrics = &metrics.ForModel(spec.name);
  served->scheduler = std::make_unique<Scheduler>(
      *served->model, ToSchedulerOptions(options.batching, options.threads), served->metrics);

  // Warm-up: one short greedy translation (or encoding) through the scheduler, so the
  // first request does not pay for primitive creation and first touches.
  // Its output is discarded, so any of the model's languages will do (NLLB's and
  // M2M100's source needs one).
  const engine::SmokeLanguages languages = engine::SmokeLanguagesOf(served->model->tokenizer());
  absl::StatusOr<engine::EncodedText> source = served->model->tokenizer().EncodeSource(
      "Hello world.", served->defaults.max_input_tokens,
      /*truncate=*/true, engine::RequestLanguages{languages.source, languages.target},
      engine::LanguageRequirement::kOptional);
  if (!source.ok()) {
    return absl::Status(
        source.status().code(),
        absl::StrCat("model ", spec.name, ": warm-up failed: ", source.status().message()));
  }
  WorkItem item;
  item.source = std::move(source->ids);
  if (served->model->has_decoder()) {
    item.decoding.max_length = std::min(8, served->defaults.max_length);
  } else {
    // An encoder without a decoder (sentence-T5): an Encode.
    item.kind = WorkItem::Kind::kEncode;
    item.pooling = served->model->default_pooling();
  }
  std::promise<absl::Status> done;
  item.on_done = [&done](absl::StatusOr<ItemResult> result) { done.set_value(result.status()); };
  std::vector<WorkItem> items;
  items.push_back(std::move(item));
  absl::Status status = served->scheduler->Submit(std::move(items));
  if (status.ok()) status = done.get_future().get();
  if (!status.ok()) {
    return absl::Status(status.code(),
                        absl::StrCat("model ", spec.name, ": warm-up failed: ", status.message()));
  }
  served->load_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  served->metrics->SetLoadSeconds(served->load_seconds);
  return served;
}

ModelRegistry::~ModelRegistry() { Stop(); }

void ModelRegistry::Add(std::unique_ptr<ServedModel> model) { models_.push_back(std::move(model)); }

std::string ModelRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& m : models_) names.push_back(m->name);
  return absl::StrJoin(names, ", ");
}

absl::StatusOr<ServedModel*> ModelRegistry::Resolve(absl::string_view name) const {
  if (models_.empty()) {
    return absl::NotFoundError("no model is loaded on this server: start it with --model=NAME=DIR");
  }
  if (name.empty()) {
    if (models_.size() == 1) return models_.front().get();
    return absl::InvalidArgumentError(absl::StrCat("the model field is empty but this server has ",
                                                   models_.size(), " models: set model to one of ",
                                                   Names()));
  }
  for (const auto& m : models_) {
    if (m->name == name) return m.get();
  }
  return absl::NotFoundError(
      absl::StrCat("model '", name, "' is not loaded; loaded models: ", Names()));
}

const ServedModel* ModelRegistry::default_model() const {
  return models_.size() == 1 ? models_.front().get() : nullptr;
}

bool ModelRegistry::Drain(absl::Time deadline) {
  bool all = true;
  for (const auto& m : models_) {
    if (m->scheduler != nullptr && !m->scheduler->Drain(deadline)) all = false;
  }
  return all;
}

void ModelRegistry::Stop() {
  for (const auto& m : models_) {
    if (m->scheduler != nullptr) m->scheduler->Stop();
  }
}

}  // namespace tserve::server
