#include "client/bench_flags.h"

#include <cstdint>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "client/call_mix.h"

ABSL_FLAG(int32_t, concurrency, 1, "bench: clients calling at once, each waiting for its answer.");
ABSL_FLAG(int64_t, requests, 0, "bench: calls to measure; 0 runs for --duration_s instead.");
ABSL_FLAG(double, duration_s, 10, "bench: seconds to run when --requests is 0.");
ABSL_FLAG(int64_t, warmup_requests, 0, "bench: calls made before measuring, not counted.");
ABSL_FLAG(std::string, input, "",
          "bench: file of source texts, one per line, used in order and cycled; without it the "
          "TEXT arguments, else stdin.");
ABSL_FLAG(int32_t, texts_per_request, 1,
          "bench: texts per Translate and Encode call (TranslateStream takes one).");
ABSL_FLAG(std::string, mix, "translate",
          "bench: relative weights of the RPCs, e.g. translate:6,stream:2,encode:2.");
ABSL_FLAG(double, cancel_fraction, 0,
          "bench: share of calls cancelled mid-flight; their CANCELLED is expected.");
ABSL_FLAG(double, cancel_within_ms, 50,
          "bench: a cancelled call is cancelled at a random time this soon after it starts.");
ABSL_FLAG(double, short_deadline_fraction, 0,
          "bench: share of calls given --short_deadline_ms; their DEADLINE_EXCEEDED is expected.");
ABSL_FLAG(double, short_deadline_ms, 10, "bench: the deadline of the short-deadline calls.");

namespace tserve::client {

absl::StatusOr<LoadOptions> LoadOptionsFromFlags(const tserve::v1::TranslateRequest& translate,
                                                 const tserve::v1::EncodeRequest& encode) {
  LoadOptions options;
  options.concurrency = absl::GetFlag(FLAGS_concurrency);
  options.requests = absl::GetFlag(FLAGS_requests);
  options.duration = absl::Seconds(absl::GetFlag(FLAGS_duration_s));
  options.warmup_requests = absl::GetFlag(FLAGS_warmup_requests);
  options.texts_per_request = absl::GetFlag(FLAGS_texts_per_request);
  absl::StatusOr<CallMix> mix = CallMix::Parse(absl::GetFlag(FLAGS_mix));
  if (!mix.ok()) return mix.status();
  options.mix = *mix;
  options.cancel_fraction = absl::GetFlag(FLAGS_cancel_fraction);
  options.cancel_within = absl::Milliseconds(absl::GetFlag(FLAGS_cancel_within_ms));
  options.short_deadline_fraction = absl::GetFlag(FLAGS_short_deadline_fraction);
  options.short_deadline = absl::Milliseconds(absl::GetFlag(FLAGS_short_deadline_ms));
  options.translate = translate;
  options.encode = encode;
  if (absl::Status status = CheckLoadOptions(options); !status.ok()) return status;
  return options;
}

std::string BenchInputFlag() { return absl::GetFlag(FLAGS_input); }

}  // namespace tserve::client
