// packaging/grafana/customsd-dashboard.json against what customsd serves: every customsd_ metric
// its queries name, every label they match or group by, and every literal label value they
// match must exist in RenderMetricsText's output (Metrics with a configured merchant plus
// DatabaseGauges on a migrated database), so the dashboard cannot drift from the code.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/metrics/database_gauges.h"
#include "daemon/metrics/metrics.h"
#include "tests/storage/store_fixture.h"

namespace customsd {
namespace {

using Json = nlohmann::json;

// Labels Prometheus adds to every scraped series.
const std::set<std::string> kTargetLabels = {"job", "instance"};

// What the scrape holds: each series name with the label names and values seen on it.
struct Served {
  std::map<std::string, std::map<std::string, std::set<std::string>>> labels;  // name -> label
};

Served Parse(const std::string& text) {
  Served served;
  static const std::regex kSeries(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? )");
  static const std::regex kLabel(R"re(([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)")re");
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (line.empty() || line[0] == '#' || !std::regex_search(line, m, kSeries)) continue;
    auto& labels = served.labels[m[1]];
    const std::string inside = m[3];
    for (auto it = std::sregex_iterator(inside.begin(), inside.end(), kLabel);
         it != std::sregex_iterator(); ++it) {
      labels[(*it)[1]].insert((*it)[2]);
    }
  }
  return served;
}

// Every PromQL text of the dashboard: panel targets' "expr" and query variables' "query".
void CollectQueries(const Json& node, std::vector<std::string>* out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if ((key == "expr" || key == "query") && value.is_string()) out->push_back(value);
      CollectQueries(value, out);
    }
  } else if (node.is_array()) {
    for (const Json& item : node) CollectQueries(item, out);
  }
}

template <typename F>
void ForEachMatch(const std::string& text, const std::regex& re, F f) {
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it) {
    f(*it);
  }
}

std::string Trim(std::string s) {
  s.erase(0, s.find_first_not_of(' '));
  s.erase(s.find_last_not_of(' ') + 1);
  return s;
}

// What in PromQL text `q` the scrape does not have: a customsd_ name, a label matched or
// grouped by, a literal value matched with = or !=. One line per problem; none = fine.
std::vector<std::string> Problems(const std::string& q, const Served& served) {
  static const std::regex kName(R"(\bcustomsd_[a-zA-Z0-9_]+)");
  static const std::regex kSelector(R"((\bcustomsd_[a-zA-Z0-9_]+)\{([^}]*)\})");
  static const std::regex kMatcher(R"re(([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"([^"]*)")re");
  static const std::regex kGrouping(R"(\b(?:by|without)\s*\(([^)]*)\))");
  static const std::regex kLabelValues(R"(label_values\((customsd_[a-zA-Z0-9_]+)[^,]*,\s*(\w+)\))");
  static const std::map<std::string, std::set<std::string>> kNone;
  auto labels_of = [&](const std::string& name) -> const std::map<std::string, std::set<std::string>>& {
    auto it = served.labels.find(name);
    return it == served.labels.end() ? kNone : it->second;
  };
  std::vector<std::string> problems;
  std::set<std::string> labels_of_names = {"le"};  // histogram buckets' own label
  ForEachMatch(q, kName, [&](const std::smatch& m) {
    if (!served.labels.count(m.str())) problems.push_back(m.str() + " is not served");
    for (const auto& [label, values] : labels_of(m.str())) labels_of_names.insert(label);
  });
  ForEachMatch(q, kSelector, [&](const std::smatch& s) {
    const std::string metric = s[1], inside = s[2];
    ForEachMatch(inside, kMatcher, [&](const std::smatch& m) {
      const std::string label = m[1], op = m[2], value = m[3];
      if (kTargetLabels.count(label)) return;
      auto it = labels_of(metric).find(label);
      if (it == labels_of(metric).end()) {
        problems.push_back(metric + " has no label " + label);
      } else if ((op == "=" || op == "!=") && value.find('$') == std::string::npos &&
                 !it->second.count(value)) {
        problems.push_back(metric + "{" + label + "} is never \"" + value + "\"");
      }
    });
  });
  ForEachMatch(q, kGrouping, [&](const std::smatch& g) {
    std::istringstream list(g[1]);
    for (std::string label; std::getline(list, label, ',');) {
      label = Trim(label);
      if (!label.empty() && !kTargetLabels.count(label) && !labels_of_names.count(label)) {
        problems.push_back("grouped by " + label + ", which its metrics lack");
      }
    }
  });
  ForEachMatch(q, kLabelValues, [&](const std::smatch& v) {
    if (!kTargetLabels.count(v[2]) && !labels_of(v[1]).count(v[2])) {
      problems.push_back(v[1].str() + " has no label " + v[2].str());
    }
  });
  return problems;
}

class DashboardTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    std::ifstream file(std::string(CUSTOMSD_SOURCE_DIR) +
                       "/packaging/grafana/customsd-dashboard.json");
    ASSERT_TRUE(file) << "cannot read packaging/grafana/customsd-dashboard.json";
    dashboard_ = Json::parse(file, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(dashboard_.is_discarded()) << "the dashboard is not valid JSON";
    CollectQueries(dashboard_, &queries_);
    ASSERT_FALSE(queries_.empty());

    Metrics metrics(testing::TestEpoch(), {testing::kTestMchid});
    auto gauges = DatabaseGauges::Open(dir_.File("customsd.db"), clock_);
    ASSERT_TRUE(gauges.ok()) << gauges.status().message();
    const prometheus::Collectable* sources[] = {&metrics, gauges->get()};
    served_ = Parse(RenderMetricsText(sources));
  }

  Json dashboard_;
  std::vector<std::string> queries_;
  Served served_;
};

TEST_F(DashboardTest, EveryMetricLabelAndValueItQueriesIsServed) {
  for (const std::string& q : queries_) {
    for (const std::string& problem : Problems(q, served_)) ADD_FAILURE() << problem << "; in: " << q;
  }
}

// The check is only as good as its parsing: drifted names, labels and values must be caught,
// and what the daemon serves must pass.
TEST_F(DashboardTest, TheCheckCatchesDrift) {
  EXPECT_EQ(Problems("rate(customsd_api_request_total[5m])", served_).size(), 1u);
  EXPECT_EQ(Problems("customsd_declarations{phase=\"atention\"}", served_).size(), 1u);
  EXPECT_EQ(Problems("customsd_declarations{customs=~\"$customs\"}", served_).size(), 1u);
  EXPECT_EQ(Problems("sum by (merchant) (customsd_api_requests_total)", served_).size(), 1u);
  EXPECT_EQ(Problems("label_values(customsd_holds, mchid)", served_).size(), 1u);
  EXPECT_TRUE(Problems("histogram_quantile(0.9, sum by (le, endpoint) "
                       "(rate(customsd_api_request_duration_seconds_bucket[5m])))",
                       served_)
                  .empty());
  EXPECT_TRUE(Problems("customsd_api_requests_total{mchid=\"" + std::string(testing::kTestMchid) +
                           "\", outcome=\"ok\", job=~\"$job\"}",
                       served_)
                  .empty());
  EXPECT_TRUE(Problems("customsd_declarations{phase=\"cancelled\"}", served_).empty());
}

TEST_F(DashboardTest, HasThePanelsOperatorsNeed) {
  std::string all;
  for (const std::string& q : queries_) all += q + "\n";
  for (const char* needed :
       {"customsd_declarations", "by (phase)", "by (state)", "customsd_api_requests_total",
        "by (outcome)", "by (mchid, outcome)", "customsd_holds", "customsd_alert_deliveries_total",
        "customsd_last_successful_poll_timestamp_seconds", "up{"}) {
    EXPECT_NE(all.find(needed), std::string::npos) << "no query uses " << needed;
  }
}

TEST_F(DashboardTest, TheDataSourceIsATemplateVariable) {
  bool has_variable = false;
  for (const Json& v : dashboard_["templating"]["list"]) {
    if (v.value("type", "") == "datasource" && v.value("name", "") == "datasource" &&
        v.value("query", "") == "prometheus") {
      has_variable = true;
    }
  }
  EXPECT_TRUE(has_variable);
  ASSERT_TRUE(dashboard_["panels"].is_array());
  for (const Json& panel : dashboard_["panels"]) {
    EXPECT_EQ(panel["datasource"].value("uid", ""), "${datasource}") << panel.value("title", "");
    for (const Json& target : panel["targets"]) {
      EXPECT_EQ(target["datasource"].value("uid", ""), "${datasource}")
          << panel.value("title", "");
    }
  }
}

}  // namespace
}  // namespace customsd
