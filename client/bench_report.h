#ifndef TSERVE_CLIENT_BENCH_REPORT_H_
#define TSERVE_CLIENT_BENCH_REPORT_H_

#include <string>

#include "client/load_generator.h"

namespace tserve::client {

// The summary of a load run that `tserve-client bench` prints. Throughput
// counts the calls that succeeded: requests/s, sentences/s (their texts) and
// target tokens/s (their generated tokens); latencies are theirs too.
// Failed calls are counted by status code, expected and unexpected apart.

// A few lines for people.
std::string BenchText(const LoadOptions& options, const LoadResult& result);

// One line of JSON for scripts: the same figures, and the same for each RPC
// under "rpcs".
std::string BenchJson(const LoadOptions& options, const LoadResult& result);

}  // namespace tserve::client

#endif  // TSERVE_CLIENT_BENCH_REPORT_H_
