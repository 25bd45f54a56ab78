// The KPI registry's possible ranges, and the estimates of KPIs: intervals
// clipped to them, and the no-variation fields of a random KPI that came out
// the same in every replication.

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "sim/estimate.h"
#include "sim/kpi.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

// A KPI series as kpi_series builds it for `name`: its form is a plain mean.
KpiSeries series(const std::string& name, std::vector<double> samples) {
  KpiSeries k;
  k.name = name;
  k.samples = std::move(samples);
  k.range = kpi_info(name)->range;
  k.agents = 300;
  k.population = 1e6;
  return k;
}

TEST_CASE("kpi: the registry knows each KPI's possible range") {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  for (const char* share : {"conversion_rate", "reach_rate", "retention_rate",
                            "complaints_answered_in_sla", "conversion_rate:donation"}) {
    CAPTURE(share);
    CHECK(kpi_info(share)->range.lowest == 0);
    CHECK(kpi_info(share)->range.highest == 1);
  }
  for (const char* count : {"praises", "conversions", "value", "cost", "cost_per_conversion",
                            "roas", "mean_response_days", "active_customers", "value:donation"}) {
    CAPTURE(count);
    CHECK(kpi_info(count)->range.lowest == 0);
    CHECK(kpi_info(count)->range.highest == kInf);
  }
  CHECK(kpi_info("profit")->range.lowest == -kInf);
}

TEST_CASE("kpi: a count's interval never reaches below 0, a share's never above 1") {
  // The bug: `praises 18.8 [-2.73, 40.2]` from a few praises a replication.
  const Estimate praises = estimate_kpi(series("praises", {0, 0, 56.4}), 0.95, false);
  CHECK(praises.mean == doctest::Approx(18.8));
  CHECK(praises.ci_low == 0);
  CHECK(praises.ci_high == doctest::Approx(18.8 + 4.302653 * 18.8).epsilon(1e-6));
  const Estimate share = estimate_kpi(series("retention_rate", {0.9, 1.0, 1.0}), 0.95, false);
  CHECK(share.ci_high == 1);
  CHECK(share.ci_low < 0.9);
  // Cost per conversion (a fixed cost over a mean) with conversions near 0.
  KpiSeries cpa = series("cost_per_conversion", {0, 0, 3});
  cpa.form = KpiSeries::Form::kInverse;
  cpa.numerator = 6000;
  CHECK(estimate_kpi(cpa, 0.95, false).ci_low >= 0);
  // Profit may be negative: its interval is the Student-t one.
  const Estimate profit = estimate_kpi(series("profit", {-100, 0, 40}), 0.95, false);
  CHECK(profit.ci_low < -100);
}

TEST_CASE("kpi: a random KPI with no variation says so, with its one-sided bound") {
  // No conversion among 3 x 300 simulated people: at most -ln(0.05) / 900 per person.
  const Estimate none = estimate_kpi(series("conversions", {0, 0, 0}), 0.95, false);
  CHECK(none.no_variation);
  CHECK(none.ci_low == 0);
  CHECK(none.ci_high == 0);
  CHECK(none.one_sided_upper == doctest::Approx(-std::log(0.05) / 900 * 1e6));
  CHECK(std::isnan(none.one_sided_lower));
  // Everyone aware: at least 1 - the bound.
  const Estimate all = estimate_kpi(series("awareness_rate", {1, 1, 1}), 0.95, false);
  CHECK(all.no_variation);
  CHECK(all.one_sided_lower == doctest::Approx(1 + std::log(0.05) / 900));
  // The same value between: no variation, no bound.
  const Estimate between = estimate_kpi(series("conversions", {3333, 3333, 3333}), 0.95, false);
  CHECK(between.no_variation);
  CHECK(std::isnan(between.one_sided_upper));
  CHECK(std::isnan(between.one_sided_lower));
  // What the model fixes is exact, and so is an exact solution.
  KpiSeries cost = series("cost", {6000, 6000, 6000});
  cost.fixed_by_model = true;
  CHECK_FALSE(estimate_kpi(cost, 0.95, false).no_variation);
  CHECK_FALSE(estimate_kpi(series("conversions", {0}), 0.95, true).no_variation);
  CHECK_FALSE(estimate_kpi(series("conversions", {0, 1, 0}), 0.95, false).no_variation);
}

// A sweep of the care team's size down to 0 warned "raise --agents" about
// praise at the point where nobody answers, where there can be none.
TEST_CASE("kpi: regression: praise was counted where nobody answers complaints") {
  v1::Scenario s = testing::parse_text(
      std::string(testing::kSmallJourney) +
      R"(loyalty { bg_nbd { r: 1 alpha: 10 a: 1 b: 2 } )"
      R"(care { channel: "social" complaint_rate: 0.01 daily_capacity: 5 praise_rate: 0.1 } })");
  auto has_praises = [](const v1::Scenario& scenario) {
    const std::vector<std::string> names = kpi_names(scenario);
    return std::find(names.begin(), names.end(), "praises") != names.end();
  };
  CHECK(has_praises(s));
  s.mutable_loyalty()->mutable_care()->set_daily_capacity(0);
  CHECK_FALSE(has_praises(s));
  CHECK(kpi_not_counted(s, "praises").find("daily_capacity > 0") != std::string::npos);
}

}  // namespace
}  // namespace cjsim
