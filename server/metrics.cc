#include "server/metrics.h"

#include <exception>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "server/build_info.h"
#include "server/options.h"

namespace tserve::server {

namespace {

// Latencies: resolves 1 ms to 60 s (roughly 1-2-5 per decade).
prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60};
}

prometheus::Histogram::BucketBoundaries BatchSizeBuckets() {
  return {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
}

prometheus::Histogram::BucketBoundaries PaddingBuckets() {
  return {0, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75};
}

}  // namespace

ModelMetrics::ModelMetrics(prometheus::Histogram& queue_wait,
                           prometheus::Histogram& time_to_first_token,
                           prometheus::Histogram& inter_token, prometheus::Histogram& batch_size,
                           prometheus::Histogram& batch_padding, prometheus::Gauge& queue_sentences,
                           prometheus::Gauge& queue_tokens, prometheus::Gauge& live_sequences,
                           prometheus::Gauge& live_rows, prometheus::Counter& input_tokens,
                           prometheus::Counter& generated_tokens, prometheus::Counter& rejected,
                           prometheus::Counter& dropped_deadline,
                           prometheus::Counter& dropped_cancelled,
                           prometheus::Counter& dropped_shutdown, prometheus::Gauge& load_seconds)
    : queue_wait_(queue_wait),
      time_to_first_token_(time_to_first_token),
      inter_token_(inter_token),
      batch_size_(batch_size),
      batch_padding_(batch_padding),
      queue_sentences_(queue_sentences),
      queue_tokens_(queue_tokens),
      live_sequences_(live_sequences),
      live_rows_(live_rows),
      input_tokens_(input_tokens),
      generated_tokens_(generated_tokens),
      rejected_(rejected),
      dropped_deadline_(dropped_deadline),
      dropped_cancelled_(dropped_cancelled),
      dropped_shutdown_(dropped_shutdown),
      load_seconds_(load_seconds) {}

void ModelMetrics::OnAdmitted(int, int64_t tokens) {
  input_tokens_.Increment(static_cast<double>(tokens));
}

void ModelMetrics::OnRejected(int sentences) { rejected_.Increment(sentences); }

void ModelMetrics::OnBatch(int sentences, int64_t real_tokens, int64_t padded_tokens) {
  batch_size_.Observe(sentences);
  if (padded_tokens > 0) {
    batch_padding_.Observe(static_cast<double>(padded_tokens - real_tokens) /
                           static_cast<double>(padded_tokens));
  }
}

void ModelMetrics::OnQueueWait(absl::Duration wait) {
  queue_wait_.Observe(absl::ToDoubleSeconds(wait));
}

void ModelMetrics::OnFirstToken(absl::Duration since_enqueued) {
  time_to_first_token_.Observe(absl::ToDoubleSeconds(since_enqueued));
}

void ModelMetrics::OnToken(absl::Duration since_previous) {
  inter_token_.Observe(absl::ToDoubleSeconds(since_previous));
}

void ModelMetrics::OnLiveSet(int live_rows, int live_sequences) {
  live_rows_.Set(live_rows);
  live_sequences_.Set(live_sequences);
}

void ModelMetrics::OnQueueDepth(int sentences, int64_t tokens) {
  queue_sentences_.Set(sentences);
  queue_tokens_.Set(static_cast<double>(tokens));
}

void ModelMetrics::OnDropped(DropReason reason) {
  switch (reason) {
    case DropReason::kDeadline:
      dropped_deadline_.Increment();
      break;
    case DropReason::kCancelled:
      dropped_cancelled_.Increment();
      break;
    case DropReason::kShutdown:
      dropped_shutdown_.Increment();
      break;
  }
}

void ModelMetrics::AddGeneratedTokens(int64_t tokens) {
  generated_tokens_.Increment(static_cast<double>(tokens));
}

void ModelMetrics::SetLoadSeconds(double seconds) { load_seconds_.Set(seconds); }

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {
  // The conventional info metric: constant 1, the facts in its labels.
  prometheus::BuildGauge()
      .Name("tserve_build_info")
      .Help("Build information of the running tserve server; the value is always 1.")
      .Register(*registry_)
      .Add({{"version", std::string(Version())}, {"compiler", std::string(Compiler())}})
      .Set(1);
  prometheus::BuildGauge()
      .Name("tserve_start_time_seconds")
      .Help("Start time of the server process since the Unix epoch, in seconds.")
      .Register(*registry_)
      .Add({})
      .Set(absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()));

  requests_ = &prometheus::BuildCounter()
                   .Name("tserve_requests_total")
                   .Help("Finished RPCs by method, model and gRPC status code.")
                   .Register(*registry_);
  request_duration_ = &prometheus::BuildHistogram()
                           .Name("tserve_request_duration_seconds")
                           .Help("Time from receiving an RPC to its final status, in seconds.")
                           .Register(*registry_);
  queue_wait_ = &prometheus::BuildHistogram()
                     .Name("tserve_queue_wait_seconds")
                     .Help(
                         "Time a sentence waited in the admission queue before its encoder "
                         "batch, in seconds.")
                     .Register(*registry_);
  time_to_first_token_ = &prometheus::BuildHistogram()
                              .Name("tserve_time_to_first_token_seconds")
                              .Help(
                                  "Time from admission to a sentence's first generated token, "
                                  "in seconds.")
                              .Register(*registry_);
  inter_token_ = &prometheus::BuildHistogram()
                      .Name("tserve_inter_token_latency_seconds")
                      .Help(
                          "Time between two consecutive generated tokens of a sentence, in "
                          "seconds.")
                      .Register(*registry_);
  batch_size_ = &prometheus::BuildHistogram()
                     .Name("tserve_batch_size")
                     .Help("Sentences per encoder batch.")
                     .Register(*registry_);
  batch_padding_ = &prometheus::BuildHistogram()
                        .Name("tserve_batch_padding_ratio")
                        .Help(
                            "Fraction of an encoder batch's tokens that are padding "
                            "(0: none).")
                        .Register(*registry_);
  queue_sentences_ = &prometheus::BuildGauge()
                          .Name("tserve_queue_depth_sentences")
                          .Help("Sentences waiting in the admission queue.")
                          .Register(*registry_);
  queue_tokens_ = &prometheus::BuildGauge()
                       .Name("tserve_queue_depth_tokens")
                       .Help("Source tokens waiting in the admission queue.")
                       .Register(*registry_);
  live_sequences_ = &prometheus::BuildGauge()
                         .Name("tserve_live_sequences")
                         .Help("Sentences the decoder is advancing.")
                         .Register(*registry_);
  live_rows_ = &prometheus::BuildGauge()
                    .Name("tserve_live_decoder_rows")
                    .Help("Decoder rows in use (a beam of 4 is 4 rows).")
                    .Register(*registry_);
  input_tokens_ = &prometheus::BuildCounter()
                       .Name("tserve_input_tokens_total")
                       .Help("Source tokens admitted, end-of-sentence included.")
                       .Register(*registry_);
  generated_tokens_ = &prometheus::BuildCounter()
                           .Name("tserve_generated_tokens_total")
                           .Help("Target tokens generated over all returned hypotheses.")
                           .Register(*registry_);
  rejected_ = &prometheus::BuildCounter()
                   .Name("tserve_rejected_sentences_total")
                   .Help("Sentences refused because the admission queue was full.")
                   .Register(*registry_);
  dropped_ = &prometheus::BuildCounter()
                  .Name("tserve_dropped_sentences_total")
                  .Help("Admitted sentences dropped before finishing, by reason.")
                  .Register(*registry_);
  load_seconds_ = &prometheus::BuildGauge()
                       .Name("tserve_model_load_seconds")
                       .Help("Seconds spent loading and warming up the model.")
                       .Register(*registry_);
}

void Metrics::RecordRequest(absl::string_view rpc, absl::string_view model, absl::string_view code,
                            absl::Duration duration) {
  const std::map<std::string, std::string> labels = {{"rpc", std::string(rpc)},
                                                     {"model", std::string(model)}};
  std::map<std::string, std::string> with_code = labels;
  with_code.emplace("code", std::string(code));
  requests_->Add(with_code).Increment();
  request_duration_->Add(labels, LatencyBuckets()).Observe(absl::ToDoubleSeconds(duration));
}

ModelMetrics& Metrics::ForModel(const std::string& model) {
  const std::map<std::string, std::string> labels = {{"model", model}};
  auto reason = [&](const char* why) {
    std::map<std::string, std::string> l = labels;
    l.emplace("reason", why);
    return l;
  };
  std::lock_guard lock(models_mutex_);
  models_.push_back(std::make_unique<ModelMetrics>(
      queue_wait_->Add(labels, LatencyBuckets()),
      time_to_first_token_->Add(labels, LatencyBuckets()),
      inter_token_->Add(labels, LatencyBuckets()), batch_size_->Add(labels, BatchSizeBuckets()),
      batch_padding_->Add(labels, PaddingBuckets()), queue_sentences_->Add(labels),
      queue_tokens_->Add(labels), live_sequences_->Add(labels), live_rows_->Add(labels),
      input_tokens_->Add(labels), generated_tokens_->Add(labels), rejected_->Add(labels),
      dropped_->Add(reason("deadline")), dropped_->Add(reason("cancelled")),
      dropped_->Add(reason("shutdown")), load_seconds_->Add(labels)));
  return *models_.back();
}

Metrics::~Metrics() { Stop(); }

absl::Status Metrics::Serve(absl::string_view address, int port) {
  if (exposer_ != nullptr) return absl::FailedPreconditionError("metrics are already served");
  const std::string bind_address = HostPort(address, port);
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(bind_address);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", bind_address, " (", e.what(),
                     "): is the port in use? Choose another with --metrics_port"));
  }
  exposer_->RegisterCollectable(registry_, "/metrics");
  const std::vector<int> ports = exposer_->GetListeningPorts();
  port_ = ports.empty() ? port : ports.front();
  return absl::OkStatus();
}

void Metrics::Stop() {
  exposer_.reset();
  port_ = 0;
}

}  // namespace tserve::server
