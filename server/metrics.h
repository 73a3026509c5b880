#ifndef TSERVE_SERVER_METRICS_H_
#define TSERVE_SERVER_METRICS_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "server/batching/scheduler_observer.h"

namespace tserve::server {

// The metrics of one served model. It is the model's SchedulerObserver:
// the scheduler reports queue, batch and token events to it on the engine
// thread; the service adds what only it knows (generated tokens).
class ModelMetrics final : public SchedulerObserver {
 public:
  ModelMetrics(prometheus::Histogram& queue_wait, prometheus::Histogram& time_to_first_token,
               prometheus::Histogram& inter_token, prometheus::Histogram& batch_size,
               prometheus::Histogram& batch_padding, prometheus::Gauge& queue_sentences,
               prometheus::Gauge& queue_tokens, prometheus::Gauge& live_sequences,
               prometheus::Gauge& live_rows, prometheus::Counter& input_tokens,
               prometheus::Counter& generated_tokens, prometheus::Counter& rejected,
               prometheus::Counter& dropped_deadline, prometheus::Counter& dropped_cancelled,
               prometheus::Counter& dropped_shutdown, prometheus::Gauge& load_seconds);

  void OnAdmitted(int sentences, int64_t tokens) override;
  void OnRejected(int sentences) override;
  void OnBatch(int sentences, int64_t real_tokens, int64_t padded_tokens) override;
  void OnQueueWait(absl::Duration wait) override;
  void OnFirstToken(absl::Duration since_enqueued) override;
  void OnToken(absl::Duration since_previous) override;
  void OnLiveSet(int live_rows, int live_sequences) override;
  void OnQueueDepth(int sentences, int64_t tokens) override;
  void OnDropped(DropReason reason) override;

  void AddGeneratedTokens(int64_t tokens);
  void SetLoadSeconds(double seconds);

 private:
  prometheus::Histogram& queue_wait_;
  prometheus::Histogram& time_to_first_token_;
  prometheus::Histogram& inter_token_;
  prometheus::Histogram& batch_size_;
  prometheus::Histogram& batch_padding_;
  prometheus::Gauge& queue_sentences_;
  prometheus::Gauge& queue_tokens_;
  prometheus::Gauge& live_sequences_;
  prometheus::Gauge& live_rows_;
  prometheus::Counter& input_tokens_;
  prometheus::Counter& generated_tokens_;
  prometheus::Counter& rejected_;
  prometheus::Counter& dropped_deadline_;
  prometheus::Counter& dropped_cancelled_;
  prometheus::Counter& dropped_shutdown_;
  prometheus::Gauge& load_seconds_;
};

// The server's Prometheus metrics and the HTTP endpoint that serves them on
// its own port at /metrics. Constructing it registers the metrics; Serve()
// starts the endpoint.
//
// Names follow Prometheus conventions (`tserve_` prefix, base units,
// `_total` counters) so that `promtool check metrics` reports nothing.
class Metrics {
 public:
  Metrics();
  ~Metrics();

  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Starts serving /metrics on address:port (port 0 picks a free port).
  absl::Status Serve(absl::string_view address, int port);

  // The port /metrics is served on; 0 before Serve().
  int port() const { return port_; }

  // Stops the HTTP endpoint (idempotent). Scrapes in progress finish first;
  // this takes up to a second, the poll interval of the HTTP server.
  void Stop();

  // One finished RPC: `code` is the gRPC status code name ("OK",
  // "INVALID_ARGUMENT", ...); `model` is empty when none was resolved.
  // Thread-safe.
  void RecordRequest(absl::string_view rpc, absl::string_view model, absl::string_view code,
                     absl::Duration duration);

  // The metrics of a model, labelled with its name. Thread-safe; the object
  // lives as long as this Metrics.
  ModelMetrics& ForModel(const std::string& model);

  prometheus::Registry& registry() { return *registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* requests_ = nullptr;
  prometheus::Family<prometheus::Histogram>* request_duration_ = nullptr;
  prometheus::Family<prometheus::Histogram>* queue_wait_ = nullptr;
  prometheus::Family<prometheus::Histogram>* time_to_first_token_ = nullptr;
  prometheus::Family<prometheus::Histogram>* inter_token_ = nullptr;
  prometheus::Family<prometheus::Histogram>* batch_size_ = nullptr;
  prometheus::Family<prometheus::Histogram>* batch_padding_ = nullptr;
  prometheus::Family<prometheus::Gauge>* queue_sentences_ = nullptr;
  prometheus::Family<prometheus::Gauge>* queue_tokens_ = nullptr;
  prometheus::Family<prometheus::Gauge>* live_sequences_ = nullptr;
  prometheus::Family<prometheus::Gauge>* live_rows_ = nullptr;
  prometheus::Family<prometheus::Counter>* input_tokens_ = nullptr;
  prometheus::Family<prometheus::Counter>* generated_tokens_ = nullptr;
  prometheus::Family<prometheus::Counter>* rejected_ = nullptr;
  prometheus::Family<prometheus::Counter>* dropped_ = nullptr;
  prometheus::Family<prometheus::Gauge>* load_seconds_ = nullptr;

  std::mutex models_mutex_;
  std::vector<std::unique_ptr<ModelMetrics>> models_;

  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

}  // namespace tserve::server

#endif  // TSERVE_SERVER_METRICS_H_
