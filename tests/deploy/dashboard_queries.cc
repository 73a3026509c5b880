#include "tests/deploy/dashboard_queries.h"

#include <regex>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace tserve::testing {

namespace {

absl::StatusOr<nlohmann::json> ParseDashboard(absl::string_view dashboard_json) {
  nlohmann::json dashboard = nlohmann::json::parse(dashboard_json, nullptr, false);
  if (dashboard.is_discarded() || !dashboard.is_object()) {
    return absl::InvalidArgumentError("the dashboard is not a JSON object");
  }
  return dashboard;
}

void CollectPanelQueries(const nlohmann::json& panels, std::vector<DashboardQuery>& queries) {
  for (const nlohmann::json& panel : panels) {
    const std::string title = panel.value("title", "");
    for (const nlohmann::json& target : panel.value("targets", nlohmann::json::array())) {
      if (!target.contains("expr")) continue;
      queries.push_back({absl::StrCat("panel '", title, "' target ", target.value("refId", "?")),
                         target.at("expr").get<std::string>()});
    }
    // A collapsed row keeps its panels inside it.
    if (panel.contains("panels")) CollectPanelQueries(panel.at("panels"), queries);
  }
}

}  // namespace

absl::StatusOr<std::vector<DashboardQuery>> PanelQueries(absl::string_view dashboard_json) {
  absl::StatusOr<nlohmann::json> dashboard = ParseDashboard(dashboard_json);
  if (!dashboard.ok()) return dashboard.status();
  std::vector<DashboardQuery> queries;
  CollectPanelQueries(dashboard->value("panels", nlohmann::json::array()), queries);
  return queries;
}

absl::StatusOr<std::vector<DashboardQuery>> VariableQueries(absl::string_view dashboard_json) {
  absl::StatusOr<nlohmann::json> dashboard = ParseDashboard(dashboard_json);
  if (!dashboard.ok()) return dashboard.status();
  const std::regex label_values(R"(^\s*label_values\(\s*(.+)\s*,\s*(\w+)\s*\)\s*$)");
  std::vector<DashboardQuery> queries;
  const nlohmann::json list = dashboard->value("templating", nlohmann::json::object())
                                  .value("list", nlohmann::json::array());
  for (const nlohmann::json& variable : list) {
    if (variable.value("type", "") != "query") continue;
    const std::string name = variable.value("name", "");
    // Newer Grafana stores {"query": "...", "refId": ...}, older a string.
    const nlohmann::json& query = variable.at("query");
    const std::string text =
        query.is_object() ? query.value("query", "") : query.get<std::string>();
    std::smatch match;
    if (!std::regex_match(text, match, label_values)) {
      return absl::InvalidArgumentError(
          absl::StrCat("variable '", name,
                       "': only label_values(SELECTOR, LABEL) is understood, not '", text, "'"));
    }
    queries.push_back({absl::StrCat("variable '", name, "'"),
                       absl::StrCat("group by (", match[2].str(), ") (", match[1].str(), ")")});
  }
  return queries;
}

absl::StatusOr<std::string> SubstituteVariables(absl::string_view expression,
                                                const std::map<std::string, std::string>& values) {
  // $name, ${name} and ${name:format}.
  const std::regex variable(R"(\$\{(\w+)(?::\w+)?\}|\$(\w+))");
  const std::string text(expression);
  std::string result;
  auto last = text.cbegin();
  for (std::sregex_iterator it(text.begin(), text.end(), variable), end; it != end; ++it) {
    const std::smatch& match = *it;
    const std::string name = match[1].matched ? match[1].str() : match[2].str();
    auto value = values.find(name);
    if (value == values.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("no value for the Grafana variable $", name, " in `", expression, "`"));
    }
    result.append(last, match[0].first);
    result += value->second;
    last = match[0].second;
  }
  result.append(last, text.cend());
  if (result.find('$') != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("a `$` is left after substitution in `", result, "`"));
  }
  return result;
}

}  // namespace tserve::testing
