// The run result (sim/run_result.h) through the library: its estimates are
// the mean and Student-t interval of the replications' values, computed
// here from the engine's counts with Boost's t quantile, clipped to what
// the quantity can take; an exact solution gives exact estimates.

#include "sim/run_result.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "sim/exact_solver.h"
#include "sim/kpi.h"
#include "tests/sim/simulate.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::parse_text;

// `e` against the replications' `values`: their mean, and their t interval
// at `confidence` clipped to [lowest, highest].
void check_estimate(const v1::Estimate& e, const std::vector<double>& values, double confidence,
                    double lowest, double highest) {
  const testing::Interval t = testing::t_interval(values, confidence);
  CHECK(e.n() == static_cast<int>(values.size()));
  CHECK(e.mean() == doctest::Approx(t.mean).epsilon(1e-12));
  CHECK(e.ci_low() == doctest::Approx(std::max(lowest, t.low)).epsilon(1e-12));
  CHECK(e.ci_high() == doctest::Approx(std::min(highest, t.high)).epsilon(1e-12));
}

struct Run {
  CompiledModel model;
  std::vector<ReplicationCounts> counts;
  v1::RunResult result;
};

Run run(const v1::Scenario& scenario) {
  Run r{compile(scenario, ""), testing::simulate_counts(scenario), {}};
  r.result = summarize_monte_carlo(r.model, resolve_run_settings(scenario.simulation()), r.counts,
                                   2, 0);
  return r;
}

// The replications' values of one count.
template <typename Get>
std::vector<double> per_replication(const Run& r, Get get) {
  std::vector<double> out;
  for (const ReplicationCounts& c : r.counts) out.push_back(static_cast<double>(get(c)));
  return out;
}

TEST_CASE("run result: estimates are the replications' mean and Student-t interval") {
  v1::Scenario scenario = parse_text(testing::kSmallJourney);
  scenario.mutable_simulation()->set_agents(1000);
  scenario.mutable_simulation()->set_replications(5);
  scenario.mutable_simulation()->set_population(50000);  // counts scale by 50
  const Run r = run(scenario);
  const double agents = 1000, scale = 50, confidence = 0.95;
  const v1::RunResult& result = r.result;
  check_estimate(result.kpis().at("conversion_rate"),
                 per_replication(r,
                                 [&](const ReplicationCounts& c) {
                                   return static_cast<double>(c.converted_agents) / agents;
                                 }),
                 confidence, 0, 1);
  check_estimate(result.kpis().at("conversions"),
                 per_replication(r,
                                 [&](const ReplicationCounts& c) {
                                   return static_cast<double>(c.conversions()) * scale;
                                 }),
                 confidence, 0, HUGE_VAL);
  // Goal value 40 per conversion.
  check_estimate(result.kpis().at("value"),
                 per_replication(r,
                                 [&](const ReplicationCounts& c) {
                                   return static_cast<double>(c.conversions()) * scale * 40;
                                 }),
                 confidence, 0, HUGE_VAL);
  for (int s = 1; s <= kStageCount; ++s) {
    CAPTURE(s);
    check_estimate(result.funnel(s - 1).reached(),
                   per_replication(r,
                                   [&](const ReplicationCounts& c) {
                                     return static_cast<double>(c.reached[static_cast<size_t>(s)]) /
                                            agents;
                                   }),
                   confidence, 0, 1);
  }
  for (int u = 0; u < result.touchpoints_size(); ++u) {
    CAPTURE(u);
    const size_t i = static_cast<size_t>(u);
    check_estimate(result.touchpoints(u).visits(),
                   per_replication(r,
                                   [&](const ReplicationCounts& c) {
                                     return static_cast<double>(c.touchpoints[i].visits) * scale;
                                   }),
                   confidence, 0, HUGE_VAL);
    check_estimate(result.touchpoints(u).acts(),
                   per_replication(r,
                                   [&](const ReplicationCounts& c) {
                                     return static_cast<double>(c.touchpoints[i].acts) * scale;
                                   }),
                   confidence, 0, HUGE_VAL);
  }
}

TEST_CASE("run result: intervals are clipped to what the quantity can take, means are not") {
  // Nearly everyone acts on the ad (a share near 1) and almost no one on
  // the page (conversions near 0), on few agents: the t intervals of both
  // reach past their ranges.
  v1::Scenario scenario = parse_text(testing::kSmallJourney);
  scenario.mutable_simulation()->set_agents(300);
  scenario.mutable_simulation()->set_replications(4);
  scenario.mutable_simulation()->set_confidence(0.99);
  scenario.mutable_touchpoints(0)->mutable_cta()->set_act_probability(0.995);
  scenario.mutable_touchpoints(1)->mutable_cta()->set_act_probability(0.004);
  const Run r = run(scenario);
  const double agents = 300;

  const std::vector<double> conversions = per_replication(
      r, [](const ReplicationCounts& c) { return static_cast<double>(c.conversions()); });
  REQUIRE(testing::t_interval(conversions, 0.99).low < 0);  // the case this test is about
  const v1::Estimate& count = r.result.kpis().at("conversions");
  check_estimate(count, conversions, 0.99, 0, HUGE_VAL);
  CHECK(count.ci_low() == 0);

  const std::vector<double> considered = per_replication(r, [&](const ReplicationCounts& c) {
    return static_cast<double>(c.reached[static_cast<size_t>(v1::CONSIDERATION)]) / agents;
  });
  REQUIRE(testing::t_interval(considered, 0.99).high > 1);
  const v1::Estimate& share = r.result.funnel(v1::CONSIDERATION - 1).reached();
  check_estimate(share, considered, 0.99, 0, 1);
  CHECK(share.ci_high() == 1);

  // Every KPI's interval lies within the registry's range for it.
  for (const auto& entry : r.result.kpis()) {
    // Named, not a structured binding: clang 14 cannot capture one.
    const auto& name = entry.first;
    const auto& e = entry.second;
    CAPTURE(name);
    const std::optional<KpiInfo> info = kpi_info(name);
    REQUIRE(info.has_value());
    if (std::isnan(e.mean())) continue;
    CHECK(e.ci_low() >= info->range.lowest);
    CHECK(e.ci_high() <= info->range.highest);
  }
}

TEST_CASE("run result: an exact solution gives exact estimates of the closed form") {
  const v1::Scenario scenario = parse_text(testing::kSmallJourney);
  const CompiledModel model = compile(scenario, "");
  const Result<ExactSolution> solution = solve_exact(model);
  REQUIRE_MESSAGE(solution.is_ok(), solution.status().message());
  const v1::RunResult result = summarize_exact(model, resolve_run_settings(scenario.simulation()), *solution, 0);
  CHECK(result.method() == "exact");
  CHECK(result.replications() == 0);
  const v1::Estimate& rate = result.kpis().at("conversion_rate");
  CHECK(rate.mean() == doctest::Approx(solution->conversion_rate).epsilon(1e-12));
  CHECK(rate.n() == 0);
  CHECK(rate.std_error() == 0);
  CHECK(rate.ci_low() == rate.mean());
  CHECK(rate.ci_high() == rate.mean());
  CHECK_FALSE(rate.no_variation());
  for (int s = 1; s <= kStageCount; ++s) {
    CHECK(result.funnel(s - 1).reached().mean() ==
          doctest::Approx(solution->reached[static_cast<size_t>(s)]).epsilon(1e-12));
  }
}

}  // namespace
}  // namespace cjsim
