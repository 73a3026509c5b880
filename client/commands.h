#ifndef TSERVE_CLIENT_COMMANDS_H_
#define TSERVE_CLIENT_COMMANDS_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "client/client.h"
#include "client/load_generator.h"
#include "tserve/v1/tserve.pb.h"

namespace tserve::client {

// The subcommands of tserve-client. Each prints its result to `out`,
// problems to `err`, and returns the process exit status: 0 on success,
// 1 when the server answered with an error (or, for health, anything but
// SERVING).

// Prints the serving status (SERVING, NOT_SERVING, ...).
int RunHealth(Client& client, absl::string_view service, std::ostream& out, std::ostream& err);

// Prints GetModelInfo's response as one line of JSON.
int RunInfo(Client& client, absl::string_view model, std::ostream& out, std::ostream& err);

struct TranslateOutput {
  // Print each response as one line of JSON instead of text.
  bool json = false;
  // Prefix each hypothesis with its score and a tab.
  bool scores = false;
  // Use TranslateStream, printing tokens as they arrive.
  bool stream = false;
  // Texts per Translate request.
  int batch_size = 32;
};

// Translates `texts` with the model, options and truncation of `base`.
// Text output: one line per hypothesis, in input order.
int RunTranslate(Client& client, const tserve::v1::TranslateRequest& base,
                 const std::vector<std::string>& texts, const TranslateOutput& output,
                 std::ostream& out, std::ostream& err);

// Encodes `texts` with the settings of `base`; prints each response as one
// line of JSON.
int RunEncode(Client& client, const tserve::v1::EncodeRequest& base,
              const std::vector<std::string>& texts, int batch_size, std::ostream& out,
              std::ostream& err);

// Runs the closed-loop load of `options` with `texts` and prints its
// summary (one line of JSON when `json`). Exit status 1 when any call failed
// with an error that the options did not provoke.
int RunBench(Client& client, const std::vector<std::string>& texts, const LoadOptions& options,
             bool json, std::ostream& out, std::ostream& err);

}  // namespace tserve::client

#endif  // TSERVE_CLIENT_COMMANDS_H_
