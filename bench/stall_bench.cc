// stall_bench: how much long requests hold up short ones on a running server.
//
// Short Translate calls (one word, the model's default options) arrive at a
// fixed rate, --short_interval_ms apart per short client whether or not the
// previous one was answered (an open loop: the same short work reaches every
// server configuration), and greedy TranslateStream calls run one after the
// other with --think_ms between them, for --duration_s seconds; with
// --long_clients > 0, that many more clients
// send long calls back to back at the same time, alternating Encode and
// Translate of --long_texts texts of --long_tokens tokens each. Prints one
// JSON line: latency of the short calls (p50, p99, max), the streams'
// inter-token latency (client-observed gaps between token messages) and time
// to first token, and the long calls' count, latency and source tokens/s.
//
//   stall_bench --address=127.0.0.1:50051 --duration_s=30 --long_clients=2

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/client.h"
#include "client/latency_stats.h"

ABSL_FLAG(std::string, address, "127.0.0.1:50051", "Server address.");
ABSL_FLAG(std::string, model, "", "Model name (empty: the server's only model).");
ABSL_FLAG(double, duration_s, 30, "Seconds measured.");
ABSL_FLAG(double, warmup_s, 2, "Seconds run before measuring.");
ABSL_FLAG(int32_t, short_clients, 2, "Clients sending short Translate calls.");
ABSL_FLAG(int32_t, stream_clients, 1, "Clients sending greedy TranslateStream calls.");
ABSL_FLAG(int32_t, short_interval_ms, 500,
          "Time between the starts of a short client's calls (they may overlap).");
ABSL_FLAG(int32_t, think_ms, 1000, "Pause of the stream clients between calls.");
ABSL_FLAG(std::string, short_text, "Hello.", "Text of the short calls.");
ABSL_FLAG(int32_t, short_max_length, 0,
          "max_length of the short calls (0: the model's default; a random model may never "
          "end a sentence by itself).");
ABSL_FLAG(std::string, stream_text,
          "The children played in the park near the old river while their parents talked.",
          "Text of the streamed calls.");
ABSL_FLAG(int32_t, stream_max_length, 32, "max_length of the streamed calls.");
ABSL_FLAG(int32_t, long_clients, 0, "Clients sending long calls back to back.");
ABSL_FLAG(int32_t, long_texts, 8, "Texts per long call.");
ABSL_FLAG(int32_t, long_tokens, 512,
          "Source tokens per long text (made long enough, then cut by TRUNCATION_END).");
ABSL_FLAG(int32_t, long_max_length, 16, "max_length of the long Translate calls.");
ABSL_FLAG(std::string, long_rpcs, "encode,translate",
          "What the long clients send, in turn: encode, translate or both.");

namespace tserve::bench {
namespace {

using client::LatencySummary;
using client::SummarizeLatencies;

// Words for the long texts: common English words, so every one is a few
// pieces at most and the text reaches the token limit.
const char* const kWords[] = {
    "the",    "house", "river",  "small",   "children", "played", "near",     "old",   "city",
    "water",  "green", "walked", "quickly", "before",   "night",  "friends",  "long",  "road",
    "garden", "happy", "window", "because", "morning",  "table",  "mountain", "bright"};

std::string LongText(int words, int seed) {
  std::vector<std::string> out;
  for (int i = 0; i < words; ++i) {
    out.push_back(kWords[(i * 7 + seed * 13 + i / 5) % (sizeof(kWords) / sizeof(kWords[0]))]);
    if (i % 12 == 11) out.back() += ".";
  }
  return absl::StrJoin(out, " ");
}

struct Samples {
  std::mutex mutex;
  std::vector<double> short_ms;
  std::vector<double> gap_ms;
  std::vector<double> first_token_ms;
  std::vector<double> long_ms;
  int64_t long_tokens = 0;
  int64_t errors = 0;
  std::vector<std::string> error_messages;

  void Error(const absl::Status& status) {
    std::lock_guard lock(mutex);
    ++errors;
    if (error_messages.size() < 5) error_messages.push_back(status.ToString());
  }
};

double Ms(absl::Duration d) { return absl::ToDoubleMilliseconds(d); }

std::string Summary(const LatencySummary& s) {
  return absl::StrFormat(R"({"count": %d, "p50_ms": %.1f, "p99_ms": %.1f, "max_ms": %.1f})",
                         s.count, s.p50_ms, s.p99_ms, s.max_ms);
}

int Run() {
  client::ClientOptions options;
  options.address = absl::GetFlag(FLAGS_address);
  options.timeout = absl::Seconds(600);
  auto made = client::Client::Create(options);
  if (!made.ok()) {
    std::fprintf(stderr, "stall_bench: %s\n", std::string(made.status().message()).c_str());
    return 1;
  }
  client::Client& client = **made;
  const std::string model = absl::GetFlag(FLAGS_model);

  const absl::Time start = absl::Now();
  const absl::Time measure_from = start + absl::Seconds(absl::GetFlag(FLAGS_warmup_s));
  const absl::Time end = measure_from + absl::Seconds(absl::GetFlag(FLAGS_duration_s));
  const absl::Duration think = absl::Milliseconds(absl::GetFlag(FLAGS_think_ms));
  Samples samples;
  std::vector<std::thread> threads;

  const absl::Duration interval = absl::Milliseconds(absl::GetFlag(FLAGS_short_interval_ms));
  for (int c = 0; c < absl::GetFlag(FLAGS_short_clients); ++c) {
    threads.emplace_back([&, c] {
      tserve::v1::TranslateRequest request;
      request.set_model(model);
      request.add_texts(absl::GetFlag(FLAGS_short_text));
      if (absl::GetFlag(FLAGS_short_max_length) > 0) {
        request.mutable_options()->set_max_length(
            static_cast<uint32_t>(absl::GetFlag(FLAGS_short_max_length)));
      }
      // One thread per call, so that a slow answer does not delay the next.
      std::vector<std::thread> calls;
      for (absl::Time next = start + interval * c / std::max(1, absl::GetFlag(FLAGS_short_clients));
           next < end; next += interval) {
        absl::SleepFor(next - absl::Now());
        calls.emplace_back([&, request] {
          const absl::Time t0 = absl::Now();
          auto response = client.Translate(request);
          const absl::Time t1 = absl::Now();
          if (!response.ok()) {
            samples.Error(response.status());
          } else if (t0 >= measure_from && t0 < end) {
            // Every call started in the window, however late its answer.
            std::lock_guard lock(samples.mutex);
            samples.short_ms.push_back(Ms(t1 - t0));
          }
        });
      }
      for (std::thread& call : calls) call.join();
    });
  }
  for (int c = 0; c < absl::GetFlag(FLAGS_stream_clients); ++c) {
    threads.emplace_back([&] {
      tserve::v1::TranslateStreamRequest request;
      request.set_model(model);
      request.set_text(absl::GetFlag(FLAGS_stream_text));
      request.mutable_options()->set_beam_size(1);
      request.mutable_options()->set_max_length(
          static_cast<uint32_t>(absl::GetFlag(FLAGS_stream_max_length)));
      while (absl::Now() < end) {
        const absl::Time t0 = absl::Now();
        absl::Time last = t0;
        std::vector<double> gaps;
        double first = -1;
        absl::Status status =
            client.TranslateStream(request, [&](const tserve::v1::TranslateStreamResponse& m) {
              if (!m.has_token()) return;
              const absl::Time now = absl::Now();
              if (first < 0) {
                first = Ms(now - t0);
              } else if (now >= measure_from && now <= end) {
                gaps.push_back(Ms(now - last));
              }
              last = now;
            });
        if (!status.ok()) {
          samples.Error(status);
        } else {
          std::lock_guard lock(samples.mutex);
          samples.gap_ms.insert(samples.gap_ms.end(), gaps.begin(), gaps.end());
          if (t0 >= measure_from && last <= end && first >= 0) {
            samples.first_token_ms.push_back(first);
          }
        }
        absl::SleepFor(think);
      }
    });
  }
  std::vector<std::string> rpcs;
  for (absl::string_view rpc : absl::StrSplit(absl::GetFlag(FLAGS_long_rpcs), ',')) {
    rpcs.emplace_back(rpc);
  }
  for (int c = 0; c < absl::GetFlag(FLAGS_long_clients); ++c) {
    threads.emplace_back([&, c] {
      const int words = absl::GetFlag(FLAGS_long_tokens) * 3 / 2;
      tserve::v1::EncodeRequest encode;
      tserve::v1::TranslateRequest translate;
      encode.set_model(model);
      translate.set_model(model);
      for (int t = 0; t < absl::GetFlag(FLAGS_long_texts); ++t) {
        const std::string text = LongText(words, c * 100 + t);
        encode.add_texts(text);
        translate.add_texts(text);
      }
      encode.set_truncation(tserve::v1::TRUNCATION_END);
      translate.set_truncation(tserve::v1::TRUNCATION_END);
      translate.mutable_options()->set_beam_size(1);
      translate.mutable_options()->set_max_length(
          static_cast<uint32_t>(absl::GetFlag(FLAGS_long_max_length)));
      for (int i = c; absl::Now() < end; ++i) {
        const std::string& rpc = rpcs[i % rpcs.size()];
        const absl::Time t0 = absl::Now();
        int64_t tokens = 0;
        absl::Status status;
        if (rpc == "encode") {
          auto response = client.Encode(encode);
          status = response.status();
          if (response.ok()) {
            for (const auto& e : response->embeddings()) tokens += e.input_tokens();
          }
        } else {
          auto response = client.Translate(translate);
          status = response.status();
          if (response.ok()) {
            for (const auto& r : response->results()) tokens += r.input_tokens();
          }
        }
        const absl::Time t1 = absl::Now();
        if (!status.ok()) {
          samples.Error(status);
        } else if (t1 >= measure_from && t1 <= end) {
          // Counted when it ends in the window, wherever it started.
          std::lock_guard lock(samples.mutex);
          samples.long_ms.push_back(Ms(t1 - t0));
          samples.long_tokens += tokens;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();

  const double seconds = absl::GetFlag(FLAGS_duration_s);
  std::lock_guard lock(samples.mutex);
  std::printf(
      "{\"short\": %s, \"stream_gap\": %s, \"stream_first_token\": %s, \"long\": %s, "
      "\"long_source_tokens_per_s\": %.1f, \"errors\": %lld}\n",
      Summary(SummarizeLatencies(samples.short_ms)).c_str(),
      Summary(SummarizeLatencies(samples.gap_ms)).c_str(),
      Summary(SummarizeLatencies(samples.first_token_ms)).c_str(),
      Summary(SummarizeLatencies(samples.long_ms)).c_str(),
      static_cast<double>(samples.long_tokens) / seconds, static_cast<long long>(samples.errors));
  for (const std::string& message : samples.error_messages) {
    std::fprintf(stderr, "stall_bench: error: %s\n", message.c_str());
  }
  return samples.errors == 0 ? 0 : 1;
}

}  // namespace
}  // namespace tserve::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return tserve::bench::Run();
}
