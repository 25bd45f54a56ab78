// End-to-end tests of honest intervals (issue #11 "honest labels"): a KPI's
// interval never leaves the values it can take, a random KPI that did not
// vary says so in the JSON and CSV with its one-sided bound, and curves and
// optimize warn when a figure rests on too few simulated events.

#include <cmath>
#include <optional>
#include <string>

#include <doctest/doctest.h>

#include "cjsim/v1/result.pb.h"
#include "sim/kpi.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::parse_json;
using testing::run_cli;
using testing::source_path;
using testing::TempDir;

using testing::kConsumer;

// A shop whose customers complain now and then and, answered, praise it
// rarely: a few praises a replication, 0 in some (300 agents, 3
// replications); referrals so rare that none happens.
const char* kFewPraises = R"(
name: "few_praises"
simulation { horizon_days: 30 agents: 300 replications: 3 seed: 1 population: 10000 }
personas { id: "all" channel_affinity { key: "social" value: 0.8 } }
channels { id: "social" weekly_budget: 700 cpm: 8 max_reach: 0.3 half_saturation: 50 organic_reach: 0.02 }
channels { id: "web" organic_reach: 0.05 }
touchpoints { id: "ad" stage: AWARENESS channel: "social" cta { act_probability: 0.3 } entry_weight: 1 }
touchpoints { id: "checkout" stage: DECISION channel: "web" goal { kind: "purchase" value: 40 } }
edges { from: "ad" to: "checkout" }
loyalty {
  bg_nbd { r: 0.5 alpha: 20 a: 0.8 b: 2.4 }
  care {
    channel: "social" complaint_rate: 0.003 daily_capacity: 5 sla_days: 1 churn_if_unanswered: 0.3
    public_share: 0.5 sentiment_impact: 0.1 praise_rate: 0.1
  }
  referral { rate: 0.000000001 channel: "web" landing_stage: DECISION }
}
)";

using testing::contains;

// The Student-t critical value of three replications at 95%.
constexpr double kT2 = 4.302653;

TEST_CASE("cli run: praises 18.8 [-2.73, 40.2]: a count's interval never reaches below 0") {
  // The bug: with few events a Student-t interval over the replications
  // reached below 0 for a count (and above 100% for a share).
  TempDir dir;
  const std::string path = dir.write("few_praises.textproto", kFewPraises);
  int reproduced = 0;
  for (int seed = 1; seed <= 8; ++seed) {
    CAPTURE(seed);
    const std::string args = "run " + path + " --seed " + std::to_string(seed);
    testing::CliResult r = run_cli(args + " --quiet --json -");
    REQUIRE(r.status == 0);
    const auto result = parse_json<v1::RunResult>(r.out);
    const v1::Estimate& praises = result.kpis().at("praises");
    CHECK(praises.ci_low() >= 0);
    // Every KPI within its possible range, and every share of the run within [0, 1].
    for (const auto& entry : result.kpis()) {
      // Named, not a structured binding: clang 14 cannot capture one.
      const auto& name = entry.first;
      const auto& e = entry.second;
      CAPTURE(name);
      const std::optional<KpiInfo> info = kpi_info(name);
      REQUIRE(info.has_value());
      if (std::isnan(e.ci_low())) continue;
      CHECK(e.ci_low() >= info->range.lowest);
      CHECK(e.ci_high() <= info->range.highest);
    }
    for (const v1::FunnelStage& stage : result.funnel()) {
      CHECK(stage.reached().ci_low() >= 0);
      CHECK(stage.reached().ci_high() <= 1);
    }
    for (const v1::TouchpointResult& t : result.touchpoints()) CHECK(t.visits().ci_low() >= 0);
    for (const v1::ChannelResult& c : result.channels()) CHECK(c.reach().ci_low() >= 0);
    for (const v1::RetentionPoint& p : result.retention_curve()) {
      CHECK(p.retained().ci_high() <= 1);
    }
    // Where the unclipped interval would reach below 0, it stops at 0, in
    // the JSON and the table.
    if (praises.mean() - kT2 * praises.std_error() >= 0) continue;
    ++reproduced;
    CHECK(praises.ci_low() == 0);
    CHECK(praises.ci_high() == doctest::Approx(praises.mean() + kT2 * praises.std_error()));
    testing::CliResult table = run_cli(args);
    REQUIRE(table.status == 0);
    const size_t line = table.out.find("  public praises ");
    REQUIRE(line != std::string::npos);
    CHECK(contains(table.out.substr(line, table.out.find('\n', line) - line), "  [0, "));
  }
  CHECK(reproduced > 0);
}

TEST_CASE("cli run: a count that did not vary says so in the JSON and CSV, with its bound") {
  TempDir dir;
  const std::string path = dir.write("few_praises.textproto", kFewPraises);
  testing::CliResult r =
      run_cli("run " + path + " --quiet --json " + dir.file("r.json") + " --csv " + dir.file("t"));
  REQUIRE(r.status == 0);
  const auto result = parse_json<v1::RunResult>(testing::read_file(dir.file("r.json")));
  // No conversion from referrals in 3 x 300 simulated people: at most
  // -ln(0.05) / 900 per person, times 10,000 people.
  const v1::Estimate& referred = result.kpis().at("referred_conversions");
  CHECK(referred.mean() == 0);
  CHECK(referred.no_variation());
  REQUIRE(referred.has_one_sided_upper());
  CHECK(referred.one_sided_upper() == doctest::Approx(-std::log(0.05) / 900 * 10000));
  CHECK_FALSE(referred.has_one_sided_lower());
  // What the budgets fix is exact, and what varied is not "no variation".
  CHECK_FALSE(result.kpis().at("cost").no_variation());
  CHECK_FALSE(result.kpis().at("conversions").no_variation());
  CHECK_FALSE(result.kpis().at("conversions").has_one_sided_upper());
  const std::string json = testing::read_file(dir.file("r.json"));
  CHECK(contains(json, "\"no_variation\": true"));
  CHECK(contains(json, "\"one_sided_upper\""));

  const CsvTable kpis = testing::read_table(dir.file("t/kpis.csv"));
  const int upper = kpis.column_index("one_sided_upper");
  const int flag = kpis.column_index("no_variation");
  REQUIRE(upper >= 0);
  REQUIRE(flag >= 0);
  int seen = 0;
  for (const CsvRow& row : kpis.rows) {
    if (row.fields[0] == "referred_conversions") {
      ++seen;
      CHECK(row.fields[static_cast<size_t>(flag)] == "true");
      CHECK(std::stod(row.fields[static_cast<size_t>(upper)]) == referred.one_sided_upper());
    }
    if (row.fields[0] == "cost") CHECK(row.fields[static_cast<size_t>(flag)] == "false");
  }
  CHECK(seen == 1);
}

TEST_CASE("cli curves: few simulated events at a budget warn, naming --agents") {
  // The bug: curves gave no few-events warning (its result lacked the events).
  const std::string args = "curves " + kConsumer + " --agents 200 --replications 3 --points 3";
  TempDir dir;
  testing::CliResult r = run_cli(args + " --json " + dir.file("c.json"));
  REQUIRE(r.status == 0);
  CHECK(contains(r.err,
                 "warning: at channel 'tiktok' weekly budget 0.00: conversions, value and "
                 "marginal ROAS rest on "));
  CHECK(contains(r.err, "raise --agents (200 now) (and at "));
  // Each kind of event once.
  CHECK(r.err.find("rest on") == r.err.rfind("rest on"));
  const auto result = parse_json<v1::CurvesResult>(testing::read_file(dir.file("c.json")));
  CHECK(result.kpi_events() == "conversions");
  CHECK(result.population() > 0);
  for (const v1::ResponseCurve& c : result.curves()) {
    CHECK(c.kpi_events_size() == c.weekly_budgets_size());
    CHECK(c.value_events_size() == c.weekly_budgets_size());
    CHECK(c.kpi_events(0) < 10);
  }
  CHECK(run_cli(args + " --quiet --json -").err.empty());
  // Enough agents: no warning about conversions.
  testing::CliResult enough = run_cli(
      "curves " + kConsumer + " --agents 20000 --replications 3 --points 2 --channels tiktok");
  REQUIRE(enough.status == 0);
  CHECK_FALSE(contains(enough.err, "conversions, value and marginal ROAS rest on"));
}

TEST_CASE("cli optimize: few simulated events at the recommended mix warn, naming --agents") {
  // The bug: optimize gave no few-events warning.
  const std::string args =
      "optimize " + kConsumer + " --weekly-budget 45500 --agents 200 --replications 3";
  TempDir dir;
  testing::CliResult r = run_cli(args + " --json " + dir.file("o.json"));
  REQUIRE(r.status == 0);
  CHECK(contains(r.err,
                 "warning: at the recommended mix: conversions, cost per conversion, profit (value "
                 "- cost), return on ad spend and value rest on "));
  CHECK(contains(r.err, "raise --agents (200 now) (and at the current mix)"));
  const auto result = parse_json<v1::OptimizeResult>(testing::read_file(dir.file("o.json")));
  CHECK(result.population() > 0);
  // A count of the recommended mix that never happened says so, with its bound.
  for (const auto& entry : result.recommended().kpis()) {
    // Named, not a structured binding: clang 14 cannot capture one.
    const auto& name = entry.first;
    const auto& e = entry.second;
    if (name != "conversions" && name != "praises" && name != "complaints") continue;
    CAPTURE(name);
    CHECK(e.no_variation() == (e.mean() == 0));
    CHECK(e.has_one_sided_upper() == (e.mean() == 0));
  }
  CHECK(run_cli(args + " --quiet --json -").err.empty());
}

}  // namespace
}  // namespace cjsim
