// Response curves (sim/curves.h): the saturation and break-even rules on
// curves whose steps are known exactly (hand-derived figures), on noisy
// steps, and the engine's curves against closed-form Hill curves, concave
// (hill_shape 1) and S-shaped (hill_shape 3).

#include <cmath>
#include <limits>
#include <vector>

#include <doctest/doctest.h>
#include <tbb/task_arena.h>

#include "models/validation.h"
#include "sim/curves.h"
#include "tests/sim/simulate.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::parse_text;

// A step known exactly: no error, the interval collapsed on the mean.
Estimate exact(double mean) { return {mean, 0, mean, mean, 8}; }
Estimate noisy(double mean, double half_width) {
  return {mean, half_width / 2, mean - half_width, mean + half_width, 8};
}

std::vector<double> grid(double step, int points) {
  std::vector<double> out;
  for (int k = 0; k < points; ++k) out.push_back(step * k);
  return out;
}

// The exact marginal of each step of `y` over `budgets`.
template <typename F>
std::vector<Estimate> exact_marginals(const std::vector<double>& budgets, F y) {
  std::vector<Estimate> out;
  for (size_t k = 1; k < budgets.size(); ++k) {
    out.push_back(exact((y(budgets[k]) - y(budgets[k - 1])) / (budgets[k] - budgets[k - 1])));
  }
  return out;
}

TEST_CASE("curves: saturation on a concave curve, from the first step below 20% of the first") {
  // y = 1 - e^(-b/1000) on 0, 1000, ..., 8000: step k returns
  // e^-(k-1) of the first, below 0.2 from step 3 (e^-2 = 0.135; e^-1 =
  // 0.368 is not): saturated from the lower end of step 3, 2,000.
  const std::vector<double> budgets = grid(1000, 9);
  const std::vector<Estimate> marginal =
      exact_marginals(budgets, [](double b) { return 1 - std::exp(-b / 1000); });
  const Saturation s = saturation_point(budgets, marginal, 0.2);
  REQUIRE(s.weekly_budget.has_value());
  CHECK(*s.weekly_budget == 2000);
  CHECK(s.note.empty());
  CHECK(s.peak.mean == doctest::Approx((1 - std::exp(-1.0)) / 1000));
  // A stricter fraction moves it out: e^-(k-1) < 0.01 from step 6.
  CHECK(*saturation_point(budgets, marginal, 0.01).weekly_budget == 5000);
}

TEST_CASE("curves: an S-shaped curve saturates after its peak (it reported no saturation)") {
  // y = b^3 / (b^3 + 3000^3) (Hill, shape 3) on 0, 1000, ..., 12000. The
  // steps return 0.0357, 0.193, 0.271 (the peak, 2000 to 3000), 0.203,
  // 0.119, 0.0665, 0.0381, ... per thousand; the first below 0.2 x 0.271 =
  // 0.0543 is step 7 (6000 to 7000), and every later one is lower.
  const std::vector<double> budgets = grid(1000, 13);
  auto hill = [](double b) { return b * b * b / (b * b * b + 27e9); };
  const std::vector<Estimate> marginal = exact_marginals(budgets, hill);
  const Saturation s = saturation_point(budgets, marginal, 0.2);
  CHECK(s.peak.mean == doctest::Approx((hill(3000) - hill(2000)) / 1000));
  REQUIRE(s.weekly_budget.has_value());
  CHECK(*s.weekly_budget == 6000);
  // The slow start (the first step is below 20% of the peak) is not
  // saturation.
  CHECK(marginal[0].mean < 0.2 * s.peak.mean);
}

// Regression: the saturation point followed noise: the first step whose
// mean fell below the threshold, though its interval ([-0.027, 0.027])
// reached far above it, and later steps rose again.
TEST_CASE("curves: one noisy step below the threshold is not saturation") {
  const std::vector<double> budgets = grid(1000, 6);
  // Peak 0.1: threshold 0.02. Step 2's mean 0 is below it but its interval
  // is not; step 3 rises again.
  std::vector<Estimate> marginal = {noisy(0.1, 0.01), noisy(0.03, 0.01), noisy(0, 0.027),
                                    noisy(0.05, 0.01), noisy(0.01, 0.005)};
  Saturation s = saturation_point(budgets, marginal, 0.2);
  REQUIRE(s.weekly_budget.has_value());
  CHECK(*s.weekly_budget == 4000);  // only the last step lies wholly below
  // When the last step's interval reaches the threshold there is none.
  marginal[4] = noisy(0.01, 0.027);
  s = saturation_point(budgets, marginal, 0.2);
  CHECK_FALSE(s.weekly_budget.has_value());
  CHECK(s.note.find("last step's marginal interval reaches the threshold") != std::string::npos);
}

TEST_CASE("curves: the peak is the steepest mean, even when another step is the one detected") {
  // The first step's mean is the largest but its interval reaches 0; the
  // third is clearly positive: the KPI responds, and the rule runs against
  // the first step's mean, 0.4 (threshold 0.08).
  const std::vector<double> budgets = grid(1000, 6);
  const std::vector<Estimate> marginal = {noisy(0.4, 0.6), noisy(0.05, 0.35), noisy(0.3, 0.2),
                                          noisy(0.02, 0.05), noisy(0.01, 0.05)};
  const Saturation s = saturation_point(budgets, marginal, 0.2);
  CHECK(s.peak.mean == 0.4);
  REQUIRE(s.weekly_budget.has_value());
  CHECK(*s.weekly_budget == 3000);
}

TEST_CASE("curves: no saturation without a detectable response, or with gaps only") {
  const std::vector<double> budgets = grid(1000, 4);
  const std::vector<Estimate> flat = {exact(0), exact(0), exact(0)};
  Saturation s = saturation_point(budgets, flat, 0.2);
  CHECK_FALSE(s.weekly_budget.has_value());
  CHECK(s.note.find("no step raises the KPI detectably") != std::string::npos);
  const std::vector<Estimate> noise = {noisy(0.01, 0.03), noisy(-0.01, 0.03), noisy(0, 0.03)};
  CHECK_FALSE(saturation_point(budgets, noise, 0.2).weekly_budget.has_value());
  const Estimate gap = {kNaN, kNaN, kNaN, kNaN, 8};
  s = saturation_point(budgets, {gap, gap, gap}, 0.2);
  CHECK_FALSE(s.weekly_budget.has_value());
  CHECK(std::isnan(s.peak.mean));
  // A curve whose steepest step is its last is still rising.
  s = saturation_point(budgets, {exact(0.1), exact(0.2), exact(0.3)}, 0.2);
  CHECK_FALSE(s.weekly_budget.has_value());
  CHECK(s.note == "the steepest step is the last: the curve is still rising at its top");
  // A gap after the peak is never "below".
  s = saturation_point(budgets, {exact(1), exact(0.01), gap}, 0.2);
  CHECK_FALSE(s.weekly_budget.has_value());
}

TEST_CASE("curves: the break-even budget of a closed-form curve, with its interval") {
  // Value 10 * 1000 * (1 - e^(-b/1000)) over cost b: marginal ROAS
  // 10 e^(-b/1000), 1 at b = 1000 ln 10 = 2302.6.
  const std::vector<double> budgets = grid(500, 11);
  const std::vector<Estimate> roas =
      exact_marginals(budgets, [](double b) { return 1e4 * (1 - std::exp(-b / 1000)); });
  const BreakEven b = break_even_budget(budgets, roas);
  const double truth = 1000 * std::log(10.0);
  REQUIRE(b.weekly_budget.has_value());
  REQUIRE(b.low.has_value());
  REQUIRE(b.high.has_value());
  // Steps 2000-2500 (mean 1.065) and 2500-3000 (0.646) bracket it.
  CHECK(*b.low == 2000);
  CHECK(*b.high == 3000);
  CHECK(*b.low <= truth);
  CHECK(truth <= *b.high);
  // Linear between the step midpoints 2250 and 2750: 2,327.6, a twentieth
  // of a step from the truth.
  CHECK(*b.weekly_budget == doctest::Approx(2250 + 0.065 / 0.419 * 500).epsilon(1e-3));
  CHECK(std::abs(*b.weekly_budget - truth) < 50);
  CHECK(b.note.empty());
}

TEST_CASE("curves: the break-even of an S-shaped curve is its last crossing of 1") {
  const std::vector<double> budgets = grid(1000, 7);
  // Below 1, above (the steep part), below again.
  const std::vector<Estimate> roas = {noisy(0.5, 0.1), noisy(3, 0.2),   noisy(2, 0.2),
                                      noisy(1.2, 0.1), noisy(0.8, 0.1), noisy(0.4, 0.1)};
  const BreakEven b = break_even_budget(budgets, roas);
  REQUIRE(b.weekly_budget.has_value());
  // Midpoints 3500 (1.2) and 4500 (0.8): 1 at 4000.
  CHECK(*b.weekly_budget == doctest::Approx(4000));
  CHECK(*b.low == 3000);   // the lower end of the last step wholly above 1
  CHECK(*b.high == 5000);  // the upper end of the first step from which all lie below
}

TEST_CASE("curves: no break-even: below 1 throughout, still above at the top, no value") {
  const std::vector<double> budgets = grid(1000, 4);
  BreakEven b = break_even_budget(budgets, {noisy(0.9, 0.05), noisy(0.5, 0.05), noisy(0.2, 0.05)});
  CHECK_FALSE(b.weekly_budget.has_value());
  CHECK_FALSE(b.low.has_value());
  CHECK_FALSE(b.high.has_value());
  CHECK(b.note == "the marginal ROAS is below 1 from the first step on");
  b = break_even_budget(budgets, {noisy(3, 0.1), noisy(2, 0.1), noisy(1.5, 0.1)});
  CHECK_FALSE(b.weekly_budget.has_value());
  CHECK(b.note == "the marginal ROAS is still at least 1 at the top of the curve");
  b = break_even_budget(budgets, {exact(0), exact(0), exact(0)});
  CHECK_FALSE(b.weekly_budget.has_value());
  CHECK(b.note == "value does not change with the channel's budget");
  const Estimate gap = {kNaN, kNaN, kNaN, kNaN, 8};
  b = break_even_budget(budgets, {exact(2), gap, exact(0.5)});
  CHECK_FALSE(b.weekly_budget.has_value());
  // Means that cross 1 where no interval lies wholly on either side: noise.
  b = break_even_budget(budgets, {noisy(1.2, 0.5), noisy(1.1, 0.5), noisy(0.9, 0.5)});
  CHECK_FALSE(b.weekly_budget.has_value());
  CHECK_FALSE(b.low.has_value());
  CHECK(b.note == "no step's marginal ROAS interval lies wholly above or below 1");
  // The last interval reaching 1 leaves the upper end open.
  b = break_even_budget(budgets, {noisy(3, 0.1), noisy(1.5, 0.1), noisy(0.9, 0.3)});
  REQUIRE(b.weekly_budget.has_value());
  CHECK(*b.low == 1000);
  CHECK_FALSE(b.high.has_value());
  CHECK(b.note.find("beyond the curve") != std::string::npos);
}

// One channel whose ads land on a goal worth 3: each day an unconverted
// person is exposed, and converts, with probability p = max_reach A^s /
// (A^s + K^s), A = weekly_budget / 7 (no adstock); after converting,
// exposures land on nothing. Over H days conversions = N (1 - (1 - p)^H),
// value 3 x that, cost weekly_budget x H / 7.
constexpr double kMaxReach = 0.2, kHalf = 100, kDays = 10, kPeople = 20000, kGoalValue = 3;

std::string hill_scenario(double shape) {
  return R"(
simulation { horizon_days: 10 agents: 20000 replications: 8 seed: 11 }
personas { id: "everyone" channel_affinity { key: "ads" value: 1 } }
channels { id: "ads" weekly_budget: 1400 cpm: 10 max_reach: 0.2 half_saturation: 100 hill_shape: )" +
         std::to_string(shape) + R"( }
touchpoints { id: "buy" stage: AWARENESS channel: "ads" entry_weight: 1 goal { kind: "purchase" value: 3 } }
)";
}

double closed_form_conversions(double weekly_budget, double shape) {
  const double a = weekly_budget / 7;
  const double p =
      a > 0 ? kMaxReach * std::pow(a, shape) / (std::pow(a, shape) + std::pow(kHalf, shape)) : 0;
  return kPeople * (1 - std::pow(1 - p, kDays));
}

v1::CurvesResult trace(const v1::Scenario& scenario, const std::string& kpi) {
  Diagnostics diagnostics;
  REQUIRE_MESSAGE(validate_scenario(scenario, nullptr, diagnostics), diagnostics.to_string());
  CurveSettings settings;
  settings.channels = {0};
  settings.kpi = kpi;
  v1::CurvesResult result;
  tbb::task_arena arena(2);
  arena.execute([&] { result = response_curves(scenario, settings, nullptr); });
  return result;
}

TEST_CASE("curves: the engine's curves follow closed-form Hill curves, and the rules with them") {
  for (const double shape : {1.0, 3.0}) {
    CAPTURE(shape);
    const v1::CurvesResult result = trace(parse_text(hill_scenario(shape)), "conversions");
    REQUIRE(result.curves_size() == 1);
    const v1::ResponseCurve& c = result.curves(0);
    // 0 .. 2 x 1,400 in 9 budgets.
    REQUIRE(c.weekly_budgets_size() == 9);
    CHECK(c.weekly_budgets(8) == 2800);
    std::vector<double> budgets(c.weekly_budgets().begin(), c.weekly_budgets().end());
    std::vector<Estimate> exact_marginal, exact_roas;
    for (int k = 0; k < 9; ++k) {
      const double b = budgets[static_cast<size_t>(k)];
      CAPTURE(b);
      // Within the 99.9% interval of the closed form (exactly 0 at budget 0).
      CHECK((b == 0
                 ? c.kpi(k).mean() == 0
                 : testing::within_t_interval(c.kpi(k), closed_form_conversions(b, shape), 0.999)));
      CHECK(c.cost(k) == doctest::Approx(b * kDays / 7));
      // Incremental over 0 is the curve itself (nothing converts at 0).
      CHECK(c.incremental(k).mean() == doctest::Approx(c.kpi(k).mean()));
      if (k == 0) continue;
      const double step = b - budgets[static_cast<size_t>(k - 1)];
      const double slope =
          (closed_form_conversions(b, shape) - closed_form_conversions(b - step, shape)) / step;
      exact_marginal.push_back(exact(slope));
      exact_roas.push_back(exact(kGoalValue * slope / (kDays / 7)));
      CHECK(testing::within_t_interval(c.marginal(k - 1), slope, 0.999));
    }
    // The saturation point is the closed form's: 700 on the concave curve,
    // 1,050 on the S-shaped one (its first step is below 20% of its peak).
    const Saturation truth = saturation_point(budgets, exact_marginal, 0.2);
    REQUIRE(truth.weekly_budget.has_value());
    CHECK(*truth.weekly_budget == (shape == 1 ? 700 : 1050));
    REQUIRE(c.has_saturation_weekly_budget());
    CHECK(c.saturation_weekly_budget() == *truth.weekly_budget);

    // The break-even: on the S-shaped curve the exact marginal ROAS
    // crosses 1 at about 1,850, within the interval [1,400, 2,100]; the
    // concave one still returns more than a unit at 2,800.
    const BreakEven even = break_even_budget(budgets, exact_roas);
    if (shape == 1) {
      CHECK_FALSE(even.weekly_budget.has_value());
      CHECK_FALSE(c.break_even().has_weekly_budget());
      CHECK(c.break_even().note() == even.note);
    } else {
      REQUIRE(even.weekly_budget.has_value());
      REQUIRE(c.break_even().has_weekly_budget());
      CHECK(c.break_even().weekly_budget_low() == 1400);
      REQUIRE(c.break_even().has_weekly_budget_high());
      CHECK(c.break_even().weekly_budget_high() == 2100);
      CHECK(std::abs(c.break_even().weekly_budget() - *even.weekly_budget) < 100);
    }

    // The contribution at the current budget (1,400, a point of the curve).
    const v1::ChannelContribution& x = c.contribution();
    CHECK(x.weekly_budget() == 1400);
    CHECK(x.kpi().mean() == doctest::Approx(c.kpi(4).mean()));
    CHECK(x.cost() == doctest::Approx(1400 * kDays / 7));
    CHECK(x.value().mean() == doctest::Approx(kGoalValue * c.kpi(4).mean()));
    REQUIRE(x.has_roi());
    const double roi = kGoalValue * closed_form_conversions(1400, shape) / x.cost() - 1;
    CHECK(testing::within_t_interval(x.roi(), roi, 0.999));
    CHECK(x.roi().ci_low() <= x.roi().mean());
  }
}

TEST_CASE("curves: a current budget between the curve's budgets runs on its own") {
  v1::Scenario scenario = parse_text(hill_scenario(1));
  scenario.mutable_simulation()->set_agents(4000);
  Diagnostics diagnostics;
  REQUIRE(validate_scenario(scenario, nullptr, diagnostics));
  CurveSettings settings;
  settings.channels = {0};
  settings.points = 3;
  settings.max_weekly_budget = 2000;  // 0, 1000, 2000; the current 1,400 is none of them
  v1::CurvesResult result;
  StudyProgress progress;
  tbb::task_arena arena(2);
  arena.execute([&] { result = response_curves(scenario, settings, &progress); });
  // The runs curve_runs counts (for the resource estimate) are the runs
  // made: 3 budgets and the current one, 8 replications of 10 days each.
  CHECK(curve_runs(scenario, settings) == 4);
  CHECK(progress.total.load() == 4u * 8u * 10u);
  CHECK(progress.done.load() == progress.total.load());
  const v1::ChannelContribution& x = result.curves(0).contribution();
  CHECK(x.weekly_budget() == 1400);
  CHECK(x.cost() == doctest::Approx(1400 * kDays / 7));
  // Between the curve's points at 1,000 and 2,000.
  CHECK(x.kpi().mean() > result.curves(0).kpi(1).mean());
  CHECK(x.kpi().mean() < result.curves(0).kpi(2).mean());
}

TEST_CASE("curves: the budgets of a curve, the current budget on it and the runs it takes") {
  v1::Scenario scenario = parse_text(hill_scenario(1));
  *scenario.add_channels() = scenario.channels(0);
  scenario.mutable_channels(1)->set_id("more_ads");
  scenario.mutable_channels(1)->set_weekly_budget(0);
  CurveSettings settings;
  settings.channels = {0, 1};
  settings.points = 5;
  // 2 x the current 1,400; for the channel at 0, 2 x the traced channels'
  // mean budget, (1,400 + 0) / 2.
  CHECK(curve_top_budget(scenario, settings, 0) == 2800);
  CHECK(curve_top_budget(scenario, settings, 1) == 1400);
  CHECK(curve_budgets(scenario, settings, 0) == std::vector<double>{0, 700, 1400, 2100, 2800});
  CHECK(current_on_curve(curve_budgets(scenario, settings, 0), 1400) == size_t{2});
  CHECK(current_on_curve(curve_budgets(scenario, settings, 1), 0) == size_t{0});
  CHECK_FALSE(current_on_curve({0, 1000, 2000}, 1400).has_value());
  CHECK(curve_runs(scenario, settings) == 10);  // both current budgets are points
  settings.max_weekly_budget = 2000;            // 0, 500, ..., 2000: 1,400 is not one
  CHECK(curve_budgets(scenario, settings, 1).back() == 2000);
  CHECK(curve_runs(scenario, settings) == 11);
  // Every traced channel at 0 and no maximum: no range, which callers refuse.
  scenario.mutable_channels(0)->set_weekly_budget(0);
  settings.max_weekly_budget = 0;
  CHECK(curve_top_budget(scenario, settings, 0) == 0);

  v1::ResponseCurve curve;
  for (double b : {0.0, 700.0, 1400.0, 2100.0}) curve.add_weekly_budgets(b);
  curve.set_current_weekly_budget(1000);
  CHECK(nearest_budget(curve) == 1);
  curve.set_current_weekly_budget(5000);
  CHECK(nearest_budget(curve) == 3);
}

TEST_CASE("curves: at budget 0 the contribution is exactly 0, and each budget is a plain run") {
  v1::Scenario scenario = parse_text(hill_scenario(1));
  scenario.mutable_simulation()->set_agents(4000);
  scenario.mutable_simulation()->set_replications(4);
  scenario.mutable_channels(0)->set_weekly_budget(0);
  Diagnostics diagnostics;
  REQUIRE(validate_scenario(scenario, nullptr, diagnostics));
  CurveSettings settings;
  settings.channels = {0};
  settings.points = 3;
  settings.max_weekly_budget = 2800;
  v1::CurvesResult result;
  tbb::task_arena arena(2);
  arena.execute([&] { result = response_curves(scenario, settings, nullptr); });
  REQUIRE(result.curves_size() == 1);
  const v1::ResponseCurve& c = result.curves(0);

  // The current budget is 0, the curve's first point: the channel adds
  // nothing over itself, exactly, and spends nothing.
  const v1::ChannelContribution& x = c.contribution();
  CHECK(x.weekly_budget() == 0);
  for (const v1::Estimate* e : {&x.kpi(), &x.value(), &x.profit()}) {
    CHECK(e->mean() == 0);
    CHECK(e->ci_low() == 0);
    CHECK(e->ci_high() == 0);
  }
  CHECK(x.cost() == 0);
  CHECK_FALSE(x.has_roi());
  CHECK(x.note() == "the channel spends nothing at its current budget");
  CHECK(c.incremental(0).mean() == 0);
  CHECK(c.incremental(0).ci_high() == 0);
  // At 0 the only channel reaches no one, so no one converts.
  CHECK(c.kpi(0).mean() == 0);
  CHECK(c.cost(0) == 0);

  // Every budget runs replications 0 .. R-1 with the scenario's seed: above
  // 0, what a plain run of the scenario at that budget gives, bit for bit
  // (at 0 the plain run would be in single-journey form, the curve is not).
  for (int k = 1; k < 3; ++k) {
    CAPTURE(k);
    v1::Scenario at = scenario;
    at.mutable_channels(0)->set_weekly_budget(c.weekly_budgets(k));
    const v1::RunResult run = testing::plain_run(at);
    CHECK(testing::same_results(c.kpi(k), run.kpis().at("conversions")));
    CHECK(c.cost(k) == run.kpis().at("cost").mean());
  }
}

}  // namespace
}  // namespace cjsim
