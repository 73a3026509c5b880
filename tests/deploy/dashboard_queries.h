#ifndef TSERVE_TESTS_DEPLOY_DASHBOARD_QUERIES_H_
#define TSERVE_TESTS_DEPLOY_DASHBOARD_QUERIES_H_

// The PromQL a Grafana dashboard runs, read from its JSON model, and Grafana's
// variables replaced by concrete values so that Prometheus can run it.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tserve::testing {

struct DashboardQuery {
  // Where the expression comes from: "panel 'Title' target A" or
  // "variable 'model'".
  std::string source;
  std::string expression;
};

// The `expr` of every target of every panel, panels nested in rows included.
absl::StatusOr<std::vector<DashboardQuery>> PanelQueries(absl::string_view dashboard_json);

// The queries of the dashboard's Prometheus query variables, each
// `label_values(SELECTOR, LABEL)` turned into the equivalent instant query
// `group by (LABEL) (SELECTOR)`. InvalidArgument for any other variable query.
absl::StatusOr<std::vector<DashboardQuery>> VariableQueries(absl::string_view dashboard_json);

// `expression` with every `$name` and `${name}` (also `${name:format}`)
// replaced by values[name]. InvalidArgument naming the variable when one has
// no value, so that a variable the test does not know fails loudly.
absl::StatusOr<std::string> SubstituteVariables(absl::string_view expression,
                                                const std::map<std::string, std::string>& values);

}  // namespace tserve::testing

#endif  // TSERVE_TESTS_DEPLOY_DASHBOARD_QUERIES_H_
