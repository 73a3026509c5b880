#ifndef TSERVE_CLIENT_BENCH_FLAGS_H_
#define TSERVE_CLIENT_BENCH_FLAGS_H_

#include <string>

#include "absl/status/statusor.h"
#include "client/load_generator.h"
#include "tserve/v1/tserve.pb.h"

namespace tserve::client {

// The flags of `tserve-client bench` (defined in bench_flags.cc) as load
// options, with the requests built from the translate and encode flags.
// Fails with a message naming the flag that is wrong.
absl::StatusOr<LoadOptions> LoadOptionsFromFlags(const tserve::v1::TranslateRequest& translate,
                                                 const tserve::v1::EncodeRequest& encode);

// --input: the file of source texts, one per line; "" when not given.
std::string BenchInputFlag();

}  // namespace tserve::client

#endif  // TSERVE_CLIENT_BENCH_FLAGS_H_
