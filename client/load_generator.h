#ifndef TSERVE_CLIENT_LOAD_GENERATOR_H_
#define TSERVE_CLIENT_LOAD_GENERATOR_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "client/call_mix.h"
#include "client/client.h"
#include "tserve/v1/tserve.pb.h"

namespace tserve::client {

// A closed-loop load: `concurrency` clients, each making its next call as
// soon as the previous one is answered.
struct LoadOptions {
  int concurrency = 1;
  // Calls to measure; 0 runs for `duration` instead.
  int64_t requests = 0;
  // With requests == 0: no call starts after this; calls in flight finish.
  absl::Duration duration = absl::Seconds(10);
  // Calls made (and not counted) before measuring starts.
  int64_t warmup_requests = 0;

  // Texts per Translate and Encode call (a TranslateStream call takes one).
  // Texts are taken from the input in order, cycling.
  int texts_per_request = 1;
  CallMix mix;

  // Share of the calls cancelled at a random time within `cancel_within`
  // of their start; a CANCELLED answer to these is expected.
  double cancel_fraction = 0;
  absl::Duration cancel_within = absl::Milliseconds(50);
  // Share of the calls made with the deadline `short_deadline` instead of
  // the client's; a DEADLINE_EXCEEDED answer to these is expected.
  double short_deadline_fraction = 0;
  absl::Duration short_deadline = absl::Milliseconds(10);

  // The requests to send, without texts: model, decoding options,
  // truncation, pooling.
  tserve::v1::TranslateRequest translate;
  tserve::v1::EncodeRequest encode;

  // Seeds the choice of each call's kind and fate; the same seed makes the
  // same choices in each client thread.
  uint64_t seed = 1;
};

// Refuses options that cannot run, with a message naming the flag.
absl::Status CheckLoadOptions(const LoadOptions& options);

// What the calls of one kind (or all calls) came to.
struct CallTally {
  int64_t calls = 0;
  int64_t ok = 0;
  // Texts sent, and texts of the calls that succeeded.
  int64_t sentences = 0;
  int64_t ok_sentences = 0;
  // Tokens generated for the best hypothesis of each text of the calls that
  // succeeded, end of sentence included (as the engine benchmark counts).
  int64_t target_tokens = 0;
  // Calls chosen to be cancelled, and calls given the short deadline.
  int64_t cancel_attempts = 0;
  int64_t short_deadline_calls = 0;
  // Failed calls by status code: expected ones (CANCELLED for a call that
  // was cancelled, DEADLINE_EXCEEDED for one with the short deadline) and
  // the rest.
  std::map<absl::StatusCode, int64_t> expected_errors;
  std::map<absl::StatusCode, int64_t> unexpected_errors;
  // The first unexpected error, to show what went wrong.
  absl::Status first_unexpected_error;
  // Latency of every call that succeeded, and for TranslateStream the time
  // to its first token, in milliseconds.
  std::vector<double> latencies_ms;
  std::vector<double> first_token_ms;

  int64_t errors() const { return calls - ok; }
  int64_t unexpected_error_count() const;
  void Add(const CallTally& other);
};

struct LoadResult {
  // From the start of measuring until the last measured call was answered.
  double seconds = 0;
  std::array<CallTally, kCallKinds> by_kind;

  const CallTally& of(CallKind kind) const { return by_kind[static_cast<int>(kind)]; }
  CallTally Total() const;
};

// Runs the load against `client` with `texts` (not empty) and returns what
// the measured calls came to. `options` must pass CheckLoadOptions().
LoadResult RunLoad(Client& client, const std::vector<std::string>& texts,
                   const LoadOptions& options);

}  // namespace tserve::client

#endif  // TSERVE_CLIENT_LOAD_GENERATOR_H_
