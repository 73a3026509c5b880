#include "client/bench_report.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/latency_stats.h"
#include "nlohmann/json.hpp"

namespace tserve::client {

namespace {

double PerSecond(int64_t count, double seconds) {
  return seconds > 0 ? static_cast<double>(count) / seconds : 0;
}

nlohmann::ordered_json LatencyJson(const std::vector<double>& milliseconds) {
  const LatencySummary s = SummarizeLatencies(milliseconds);
  return {{"count", s.count}, {"mean", s.mean_ms}, {"p50", s.p50_ms},
          {"p90", s.p90_ms},  {"p99", s.p99_ms},   {"max", s.max_ms}};
}

// {"CANCELLED": {"expected": 3, "unexpected": 0}, ...}
nlohmann::ordered_json ErrorsJson(const CallTally& tally) {
  nlohmann::ordered_json errors = nlohmann::ordered_json::object();
  for (const auto& [code, n] : tally.expected_errors) {
    errors[absl::StatusCodeToString(code)]["expected"] = n;
  }
  for (const auto& [code, n] : tally.unexpected_errors) {
    errors[absl::StatusCodeToString(code)]["unexpected"] = n;
  }
  for (auto& [name, counts] : errors.items()) {
    if (!counts.contains("expected")) counts["expected"] = 0;
    if (!counts.contains("unexpected")) counts["unexpected"] = 0;
  }
  return errors;
}

nlohmann::ordered_json TallyJson(const CallTally& tally, double seconds) {
  nlohmann::ordered_json json = {
      {"requests", tally.calls},
      {"ok", tally.ok},
      {"errors", tally.errors()},
      {"unexpected_errors", tally.unexpected_error_count()},
      {"expected_errors", tally.errors() - tally.unexpected_error_count()},
      {"sentences", tally.sentences},
      {"ok_sentences", tally.ok_sentences},
      {"target_tokens", tally.target_tokens},
      {"cancel_attempts", tally.cancel_attempts},
      {"short_deadline_calls", tally.short_deadline_calls},
      {"requests_per_s", PerSecond(tally.ok, seconds)},
      {"sentences_per_s", PerSecond(tally.ok_sentences, seconds)},
      {"target_tokens_per_s", PerSecond(tally.target_tokens, seconds)},
      {"latency_ms", LatencyJson(tally.latencies_ms)},
      {"errors_by_code", ErrorsJson(tally)},
  };
  if (!tally.first_token_ms.empty()) json["first_token_ms"] = LatencyJson(tally.first_token_ms);
  return json;
}

std::string LatencyLine(const std::vector<double>& milliseconds) {
  const LatencySummary s = SummarizeLatencies(milliseconds);
  return absl::StrFormat("p50 %.1f  p90 %.1f  p99 %.1f  max %.1f  (mean %.1f, %d calls)",
                         s.p50_ms, s.p90_ms, s.p99_ms, s.max_ms, s.mean_ms, s.count);
}

std::string ErrorsLine(const CallTally& tally) {
  std::vector<std::string> parts;
  for (const auto& [code, n] : tally.unexpected_errors) {
    parts.push_back(absl::StrCat(absl::StatusCodeToString(code), " ", n, " unexpected"));
  }
  for (const auto& [code, n] : tally.expected_errors) {
    parts.push_back(absl::StrCat(absl::StatusCodeToString(code), " ", n, " expected"));
  }
  return parts.empty() ? "none" : absl::StrJoin(parts, "; ");
}

std::string LengthOfRun(const LoadOptions& options) {
  return options.requests > 0 ? absl::StrCat(options.requests, " requests")
                              : absl::StrCat(absl::FormatDuration(options.duration));
}

}  // namespace

std::string BenchText(const LoadOptions& options, const LoadResult& result) {
  const CallTally total = result.Total();
  std::string text = absl::StrFormat(
      "tserve-client bench: %d clients, %s after %d warm-up calls, %d text%s per request, mix %s\n",
      options.concurrency, LengthOfRun(options), options.warmup_requests,
      options.texts_per_request, options.texts_per_request == 1 ? "" : "s",
      options.mix.ToString());
  absl::StrAppendFormat(&text, "  seconds         %.3f\n", result.seconds);
  absl::StrAppendFormat(&text, "  requests        %d: %d ok, %d failed (%d unexpected)\n",
                        total.calls, total.ok, total.errors(), total.unexpected_error_count());
  absl::StrAppendFormat(&text,
                        "  throughput      %.2f requests/s, %.2f sentences/s, %.1f target "
                        "tokens/s\n",
                        PerSecond(total.ok, result.seconds),
                        PerSecond(total.ok_sentences, result.seconds),
                        PerSecond(total.target_tokens, result.seconds));
  absl::StrAppendFormat(&text, "  latency ms      %s\n", LatencyLine(total.latencies_ms));
  if (!total.first_token_ms.empty()) {
    absl::StrAppendFormat(&text, "  first token ms  %s\n", LatencyLine(total.first_token_ms));
  }
  if (options.cancel_fraction > 0 || options.short_deadline_fraction > 0) {
    absl::StrAppendFormat(&text, "  provoked        %d cancelled, %d with a %s deadline\n",
                          total.cancel_attempts, total.short_deadline_calls,
                          absl::FormatDuration(options.short_deadline));
  }
  absl::StrAppendFormat(&text, "  errors by code  %s\n", ErrorsLine(total));
  for (int k = 0; k < kCallKinds; ++k) {
    const CallTally& tally = result.by_kind[k];
    if (tally.calls == 0) continue;
    absl::StrAppendFormat(&text, "  %-15s %d calls, %d ok; latency ms %s\n",
                          CallKindName(static_cast<CallKind>(k)), tally.calls, tally.ok,
                          LatencyLine(tally.latencies_ms));
  }
  return text;
}

std::string BenchJson(const LoadOptions& options, const LoadResult& result) {
  nlohmann::ordered_json json = {
      {"concurrency", options.concurrency},
      {"texts_per_request", options.texts_per_request},
      {"mix", options.mix.ToString()},
      {"warmup_requests", options.warmup_requests},
      {"seconds", result.seconds},
  };
  json.update(TallyJson(result.Total(), result.seconds));
  nlohmann::ordered_json rpcs = nlohmann::ordered_json::object();
  for (int k = 0; k < kCallKinds; ++k) {
    const CallTally& tally = result.by_kind[k];
    if (tally.calls > 0) rpcs[CallKindName(static_cast<CallKind>(k))] = TallyJson(tally, result.seconds);
  }
  json["rpcs"] = std::move(rpcs);
  return json.dump();
}

}  // namespace tserve::client
