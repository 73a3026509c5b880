#include "tests/e2e/metric_sample.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tests/e2e/test_server.h"

namespace tserve::testing {

absl::StatusOr<double> MetricSample(absl::string_view page, absl::string_view series) {
  for (absl::string_view line : absl::StrSplit(page, '\n')) {
    if (!absl::ConsumePrefix(&line, series) || !absl::ConsumePrefix(&line, " ")) continue;
    // "VALUE" or "VALUE TIMESTAMP".
    const absl::string_view value = line.substr(0, line.find(' '));
    double number = 0;
    if (!absl::SimpleAtod(value, &number)) {
      return absl::InvalidArgumentError(absl::StrCat("'", series, "' has the value '", value, "'"));
    }
    return number;
  }
  return absl::NotFoundError(absl::StrCat("no '", series, "' on the page"));
}

absl::StatusOr<double> ScrapeSample(int metrics_port, absl::string_view series) {
  absl::StatusOr<HttpResponse> page = HttpGet(metrics_port, "/metrics");
  if (!page.ok()) return page.status();
  if (page->status_code != 200) {
    return absl::UnavailableError(absl::StrCat("/metrics answered ", page->status_code));
  }
  absl::StatusOr<double> value = MetricSample(page->body, series);
  if (absl::IsNotFound(value.status())) return 0.0;
  return value;
}

}  // namespace tserve::testing
