// Sweeps (sim/sweep.h) through the library, not the command line: a point
// is bit for bit a plain run of its scenario (common random numbers), the
// points and marginals follow the absorbing chain's closed form
// (sim/exact_solver.h), and the grid is in the documented order.

#include "sim/sweep.h"

#include <optional>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <tbb/task_arena.h>

#include "sim/exact_solver.h"
#include "tests/sim/simulate.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::parse_text;

constexpr const char* kAdAct = "touchpoints[0].cta.act_probability";
constexpr const char* kPageAct = "touchpoints[1].cta.act_probability";

// kSmallJourney (single-journey form, solvable exactly) with the ad's and
// the page's act probabilities set.
v1::Scenario small_journey(double ad_act, double page_act, int agents) {
  v1::Scenario scenario = parse_text(testing::kSmallJourney);
  scenario.clear_variants();
  scenario.mutable_simulation()->set_agents(agents);
  scenario.mutable_simulation()->set_replications(6);
  scenario.mutable_simulation()->set_confidence(0.999);
  scenario.mutable_touchpoints(0)->mutable_cta()->set_act_probability(ad_act);
  scenario.mutable_touchpoints(1)->mutable_cta()->set_act_probability(page_act);
  return scenario;
}

v1::SweepResult sweep(const std::vector<SweepAxisValues>& axes,
                      const SweepPointScenario& point_at) {
  const v1::Scenario base = point_at(0);  // the run settings are every point's
  v1::SweepResult result;
  StudyProgress progress;
  tbb::task_arena arena(2);
  arena.execute([&] { result = run_sweep(base, axes, point_at, "", 2, &progress); });
  // The progress ends where its total says: every point's replications
  // times the horizon (30 days).
  CHECK(progress.done.load() == progress.total.load());
  CHECK(progress.total.load() == static_cast<uint64_t>(result.points_size()) *
                                     static_cast<uint64_t>(result.replications()) * 30u);
  return result;
}

double exact_conversion_rate(const v1::Scenario& scenario) {
  const Result<ExactSolution> solution = solve_exact(compile(scenario, ""));
  REQUIRE_MESSAGE(solution.is_ok(), solution.status().message());
  return solution->conversion_rate;
}

using testing::covers;

TEST_CASE("sweep: conversions follow the closed form at every point and every step") {
  const std::vector<double> acts = {0.1, 0.3, 0.6, 0.9};
  const v1::SweepResult result =
      sweep({{kAdAct, acts}}, [&](size_t i) { return small_journey(acts[i], 0.5, 2000); });
  REQUIRE(result.points_size() == 4);
  CHECK(result.replications() == 6);
  // Intervals at 99.9%: a correct engine misses the closed form once in a
  // thousand seeds; with the seed fixed the checks are deterministic.
  double previous_truth = 0;
  for (int k = 0; k < 4; ++k) {
    CAPTURE(k);
    const size_t i = static_cast<size_t>(k);
    const v1::SweepPoint& point = result.points(k);
    CHECK(point.settings().at(kAdAct) == acts[i]);
    const double truth = exact_conversion_rate(small_journey(acts[i], 0.5, 2000));
    CHECK(covers(point.kpis().at("conversion_rate"), truth));
    if (k == 0) {
      CHECK(point.marginal_size() == 0);
    } else {
      // More acting on the first step converts more people: the paired
      // marginal per unit of act probability covers the closed form's
      // slope and, the slope being far from 0, lies above 0.
      REQUIRE(point.marginal_size() == 1);
      CHECK(point.marginal(0).path() == kAdAct);
      const v1::Estimate& marginal = point.marginal(0).kpis().at("conversion_rate");
      const double slope = (truth - previous_truth) / (acts[i] - acts[i - 1]);
      CAPTURE(slope);
      CHECK(covers(marginal, slope));
      CHECK(marginal.ci_low() > 0);
      // The marginal's mean is the step of the points' means over the step.
      CHECK(marginal.mean() ==
            doctest::Approx((point.kpis().at("conversion_rate").mean() -
                             result.points(k - 1).kpis().at("conversion_rate").mean()) /
                            (acts[i] - acts[i - 1])));
    }
    previous_truth = truth;
  }
}

TEST_CASE("sweep: a falling axis gives the same marginal per unit as a rising one") {
  // The marginal is per unit of the axis: from 0.6 down to 0.3 the
  // conversion rate falls, and per unit of act probability it is the same
  // positive slope as from 0.3 up to 0.6, with its interval the right way up.
  const std::vector<double> up = {0.3, 0.6}, down = {0.6, 0.3};
  const v1::SweepResult rising =
      sweep({{kAdAct, up}}, [&](size_t i) { return small_journey(up[i], 0.5, 2000); });
  const v1::SweepResult falling =
      sweep({{kAdAct, down}}, [&](size_t i) { return small_journey(down[i], 0.5, 2000); });
  const v1::Estimate& a = rising.points(1).marginal(0).kpis().at("conversion_rate");
  const v1::Estimate& b = falling.points(1).marginal(0).kpis().at("conversion_rate");
  const double slope = (exact_conversion_rate(small_journey(0.6, 0.5, 2000)) -
                        exact_conversion_rate(small_journey(0.3, 0.5, 2000))) /
                       0.3;
  CHECK(covers(a, slope));
  CHECK(covers(b, slope));
  CHECK(b.ci_low() <= b.mean());
  CHECK(b.mean() <= b.ci_high());
  CHECK(b.ci_low() > 0);
}

TEST_CASE("sweep: each point of a grid is a plain run of its scenario, in grid order") {
  const std::vector<double> ad = {0.2, 0.4}, page = {0.5, 0.7};
  auto point_scenario = [&](size_t i) { return small_journey(ad[i / 2], page[i % 2], 500); };
  const v1::SweepResult result = sweep({{kAdAct, ad}, {kPageAct, page}}, point_scenario);
  REQUIRE(result.points_size() == 4);
  REQUIRE(result.axes_size() == 2);
  CHECK(result.axes(1).path() == kPageAct);
  // The last axis varies fastest; a point has a marginal on each axis on
  // which it has a previous value.
  const int marginals[] = {0, 1, 1, 2};
  for (size_t i = 0; i < 4; ++i) {
    CAPTURE(i);
    const v1::SweepPoint& point = result.points(static_cast<int>(i));
    CHECK(point.settings().at(kAdAct) == ad[i / 2]);
    CHECK(point.settings().at(kPageAct) == page[i % 2]);
    CHECK(point.marginal_size() == marginals[i]);
    // Every point runs replications 0 .. R-1 with the scenario's seed: the
    // same numbers a plain run of that scenario draws, bit for bit.
    const v1::RunResult run = testing::plain_run(point_scenario(i));
    REQUIRE(point.kpis_size() == run.kpis_size());
    for (const auto& kpi : run.kpis()) {
      const std::string& name = kpi.first;  // clang 14 cannot capture a structured binding
      CAPTURE(name);
      CHECK(testing::same_results(point.kpis().at(name), kpi.second));
    }
  }
}

}  // namespace
}  // namespace cjsim
