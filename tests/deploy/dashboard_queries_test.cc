// How the scrape test reads a Grafana dashboard: expressions of nested
// panels and variables, and Grafana's variables replaced or reported.

#include "tests/deploy/dashboard_queries.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tserve::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;

constexpr char kDashboard[] = R"json({
  "panels": [
    {"type": "timeseries", "title": "Rate",
     "targets": [{"refId": "A", "expr": "rate(a_total[$__rate_interval])"}]},
    {"type": "row", "title": "More", "collapsed": true, "panels": [
      {"type": "stat", "title": "Depth", "targets": [{"refId": "B", "expr": "b{model=~\"$model\"}"}]}
    ]},
    {"type": "text", "title": "Notes"}
  ],
  "templating": {"list": [
    {"type": "datasource", "name": "datasource", "query": "prometheus"},
    {"type": "query", "name": "model",
     "query": {"query": "label_values(c{job=\"x\",a=\"b\"}, model)", "refId": "V"}}
  ]}
})json";

TEST(DashboardQueriesTest, FindsTargetsOfTopLevelAndNestedPanels) {
  absl::StatusOr<std::vector<DashboardQuery>> queries = PanelQueries(kDashboard);
  ASSERT_TRUE(queries.ok()) << queries.status();
  EXPECT_THAT(*queries,
              ElementsAre(Field(&DashboardQuery::expression, "rate(a_total[$__rate_interval])"),
                          Field(&DashboardQuery::expression, "b{model=~\"$model\"}")));
  EXPECT_EQ((*queries)[1].source, "panel 'Depth' target B");
}

TEST(DashboardQueriesTest, TurnsLabelValuesIntoAGroupQuery) {
  absl::StatusOr<std::vector<DashboardQuery>> queries = VariableQueries(kDashboard);
  ASSERT_TRUE(queries.ok()) << queries.status();
  ASSERT_EQ(queries->size(), 1u);
  EXPECT_EQ((*queries)[0].expression, "group by (model) (c{job=\"x\",a=\"b\"})");
}

TEST(DashboardQueriesTest, RefusesVariableQueriesItCannotTranslate) {
  absl::StatusOr<std::vector<DashboardQuery>> queries = VariableQueries(
      R"json({"templating": {"list": [{"type": "query", "name": "v", "query": "query_result(up)"}]}})json");
  EXPECT_FALSE(queries.ok());
}

TEST(DashboardQueriesTest, SubstitutesEveryVariableForm) {
  absl::StatusOr<std::string> expression = SubstituteVariables(
      "rate(x{model=~\"$model\",b=\"${model}\",c=\"${model:regex}\"}[$__rate_interval])",
      {{"model", "m"}, {"__rate_interval", "15s"}});
  ASSERT_TRUE(expression.ok()) << expression.status();
  EXPECT_EQ(*expression, "rate(x{model=~\"m\",b=\"m\",c=\"m\"}[15s])");
}

TEST(DashboardQueriesTest, NamesAVariableWithoutValue) {
  absl::StatusOr<std::string> expression =
      SubstituteVariables("rate(x[$__interval])", {{"model", "m"}});
  ASSERT_FALSE(expression.ok());
  EXPECT_THAT(expression.status().message(), HasSubstr("$__interval"));
}

}  // namespace
}  // namespace tserve::testing
