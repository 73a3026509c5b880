#include "tests/deploy/background_load.h"

#include <utility>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace tserve::testing {

namespace {

// Sentences of different lengths, so batches carry padding.
const char* const kTexts[] = {"The old dog sleeps.", "the",
                              "A longer sentence about the weather and the sea."};

// Between two calls of one thread: enough traffic for every histogram to
// move each scrape interval, little enough to leave the machine to the
// server and Prometheus.
constexpr absl::Duration kPause = absl::Milliseconds(5);

tserve::v1::DecodingOptions Greedy() {
  tserve::v1::DecodingOptions options;
  options.set_beam_size(1);
  options.set_max_length(16);
  return options;
}

}  // namespace

BackgroundLoad::BackgroundLoad(std::shared_ptr<client::Client> client, std::string model)
    : client_(std::move(client)), model_(std::move(model)) {
  threads_.emplace_back([this] { TranslateLoop(); });
  threads_.emplace_back([this] { TranslateLoop(); });
  threads_.emplace_back([this] { StreamLoop(); });
  threads_.emplace_back([this] { EncodeLoop(); });
  threads_.emplace_back([this] { InvalidLoop(); });
}

BackgroundLoad::~BackgroundLoad() { Stop(); }

void BackgroundLoad::Stop() {
  stop_ = true;
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

bool BackgroundLoad::Pause() const {
  absl::SleepFor(kPause);
  return !stop_.load();
}

void BackgroundLoad::TranslateLoop() {
  tserve::v1::TranslateRequest request;
  request.set_model(model_);
  for (const char* text : kTexts) request.add_texts(text);
  *request.mutable_options() = Greedy();
  do {
    absl::StatusOr<tserve::v1::TranslateResponse> response = client_->Translate(request);
    ++(response.ok() && response->results_size() == request.texts_size() ? succeeded_ : failed_);
  } while (Pause());
}

void BackgroundLoad::StreamLoop() {
  tserve::v1::TranslateStreamRequest request;
  request.set_model(model_);
  request.set_text(kTexts[2]);
  *request.mutable_options() = Greedy();
  do {
    int messages = 0;
    absl::Status status = client_->TranslateStream(
        request, [&messages](const tserve::v1::TranslateStreamResponse&) { ++messages; });
    ++(status.ok() && messages > 0 ? succeeded_ : failed_);
  } while (Pause());
}

void BackgroundLoad::EncodeLoop() {
  tserve::v1::EncodeRequest request;
  request.set_model(model_);
  for (const char* text : kTexts) request.add_texts(text);
  do {
    absl::StatusOr<tserve::v1::EncodeResponse> response = client_->Encode(request);
    ++(response.ok() && response->embeddings_size() == request.texts_size() ? succeeded_ : failed_);
  } while (Pause());
}

void BackgroundLoad::InvalidLoop() {
  // An empty text: INVALID_ARGUMENT, counted under the model it named.
  tserve::v1::TranslateRequest request;
  request.set_model(model_);
  request.add_texts("");
  do {
    absl::StatusOr<tserve::v1::TranslateResponse> response = client_->Translate(request);
    ++(absl::IsInvalidArgument(response.status()) ? refused_ : failed_);
    // Errors are a trickle next to the traffic.
    absl::SleepFor(absl::Milliseconds(50));
  } while (Pause());
}

}  // namespace tserve::testing
