// The loyalty model against closed forms: BG/NBD and BG/BB repeats per
// customer, the Bass diffusion curve with word of mouth, and the retention
// curve's Kaplan-Meier arithmetic. Tolerances come from the intervals: a
// figure's 99.9% Student-t interval covers its closed form (a false alarm
// once in a thousand checks; the seeds are fixed).

#include <cmath>
#include <string>

#include <doctest/doctest.h>
#include <tbb/task_arena.h>

#include "models/compiled_model.h"
#include "models/diagnostics.h"
#include "models/validation.h"
#include "sim/bg_bb.h"
#include "sim/bg_nbd.h"
#include "sim/engine.h"
#include "sim/kpi.h"
#include "sim/run_result.h"
#include "tests/sim/simulate.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

v1::RunResult simulate(const std::string& text, int threads = 2) {
  const v1::Scenario scenario = testing::parse_text(text);
  Diagnostics diagnostics;
  INFO(diagnostics.to_string());
  REQUIRE(validate_scenario(scenario, nullptr, diagnostics));
  const CompiledModel model = compile(scenario, "");
  tbb::task_arena arena(threads);
  std::vector<ReplicationCounts> counts;
  const RunSettings run = resolve_run_settings(scenario.simulation());
  arena.execute([&] { counts = Engine(model, run.seed).run(0, run.replications); });
  return summarize_monte_carlo(model, run, counts, threads, 0);
}

// Everyone converts on day 0 (single-journey form, the entry is the goal),
// so every customer is observed for horizon - 1 days after converting.
std::string converted_on_day_zero(int horizon, int agents, const std::string& loyalty) {
  return "simulation { horizon_days: " + std::to_string(horizon) +
         " agents: " + std::to_string(agents) + R"( replications: 16 seed: 11 }
personas { id: "all" }
channels { id: "shop" }
touchpoints { id: "buy" stage: DECISION channel: "shop" entry_weight: 1 goal { kind: "purchase" value: 50 } }
)" + loyalty;
}

void check_within(const v1::Estimate& e, double expected, const char* what) {
  CAPTURE(what);
  CAPTURE(e.mean());
  CAPTURE(e.std_error());
  CAPTURE(expected);
  CHECK(testing::within_t_interval(e, expected, 0.999));
}

TEST_CASE("loyalty: BG/NBD repeats per customer follow E[X(t)]") {
  // CDNOW's published estimates (weeks), converted to days: alpha x 7.
  const BgNbdParameters p{0.243, 4.414 * 7, 0.793, 2.426};
  const int horizon = 365;
  const v1::RunResult r = simulate(converted_on_day_zero(
      horizon, 20000, "loyalty { bg_nbd { r: 0.243 alpha: 30.898 a: 0.793 b: 2.426 } }"));
  // Events run from the day after converting to the end of the horizon.
  const double expected = bg_nbd_expected_transactions(p, horizon - 1);
  check_within(r.kpis().at("repeats_per_customer"), expected, "repeats per customer");
  CHECK(r.kpis().at("conversion_rate").mean() == 1);
  // Repeats are conversions, worth the first goal's value.
  check_within(r.kpis().at("repeat_conversions"), 20000 * expected, "repeat conversions");
  CHECK(r.kpis().at("value").mean() ==
        doctest::Approx(50 * (20000 + r.kpis().at("repeat_conversions").mean())));
  CHECK(r.kpis().at("retention_rate").mean() < 1);  // some dropped out after a repeat
  // And the same model after 30 days.
  const v1::RunResult month = simulate(converted_on_day_zero(
      31, 20000, "loyalty { bg_nbd { r: 0.243 alpha: 30.898 a: 0.793 b: 2.426 } }"));
  check_within(month.kpis().at("repeats_per_customer"), bg_nbd_expected_transactions(p, 30),
               "repeats per customer in 30 days");
}

TEST_CASE("loyalty: BG/BB repeats per customer follow E[X(n)]") {
  // The published donations estimates, one opportunity every 30 days: 12
  // opportunities on days 30, 60, ..., 360 of a 361-day horizon.
  const BgBbParameters p{1.204, 0.750, 0.657, 2.783};
  const v1::RunResult r = simulate(converted_on_day_zero(
      361, 20000,
      "loyalty { bg_bb { alpha: 1.204 beta: 0.75 gamma: 0.657 delta: 2.783 period_days: 30 } }"));
  check_within(r.kpis().at("repeats_per_customer"), bg_bb_expected_transactions(p, 12),
               "repeats per customer");
  // A repeat value of its own.
  const v1::RunResult valued = simulate(converted_on_day_zero(
      61, 5000,
      "loyalty { bg_bb { alpha: 1.204 beta: 0.75 gamma: 0.657 delta: 2.783 period_days: 30 } "
      "repeat_value: 20 }"));
  CHECK(valued.kpis().at("value").mean() ==
        doctest::Approx(50 * 5000 + 20 * valued.kpis().at("repeat_conversions").mean()));
}

// Discrete-time Bass: a non-adopter adopts on day t when exposed (p) or
// referred. Customers who adopted by day t - 2 refer during day t - 1 (their
// clock starts the day after adopting) and the referral lands on day t, so
// P(referred on day t) = 1 - exp(-q F(t - 2)) for a large population.
std::vector<double> discrete_bass(double p, double q, int days) {
  std::vector<double> f(static_cast<size_t>(days));
  for (int t = 0; t < days; ++t) {
    const double before = t >= 1 ? f[t - 1] : 0, lagged = t >= 2 ? f[t - 2] : 0;
    f[t] = before + (1 - before) * (1 - (1 - p) * std::exp(-q * lagged));
  }
  return f;
}

double bass(double p, double q, double t) {
  const double e = std::exp(-(p + q) * t);
  return (1 - e) / (1 + q / p * e);
}

TEST_CASE("loyalty: word of mouth follows the Bass curve") {
  // p = 0.03 and q = 0.38 per 30-day period, as daily rates.
  const double p = 0.03 / 30, q = 0.38 / 30;
  const int horizon = 360;
  const v1::RunResult r = simulate(std::string(R"(
simulation { horizon_days: 360 agents: 20000 replications: 8 seed: 5 }
personas { id: "all" channel_affinity { key: "ads" value: 1 } }
channels { id: "ads" organic_reach: 0.001 }
touchpoints { id: "adopt" stage: AWARENESS channel: "ads" entry_weight: 1 goal { kind: "adoption" } }
loyalty { referral { rate: 0.0126666666666666667 channel: "ads" landing_stage: AWARENESS } }
)"));
  REQUIRE(r.series_size() == horizon);
  const std::vector<double> discrete = discrete_bass(p, q, horizon);
  // The discretisation error: the daily steps and the two-day lag of the
  // imitation term against the continuous curve (day t ends at time t + 1).
  // Both are closed forms; the gap peaks at 0.011 near day 210, where the
  // curve is steepest, and is at most 0.015 over the horizon.
  double worst = 0;
  for (int t = 0; t < horizon; ++t)
    worst = std::max(worst, std::abs(discrete[t] - bass(p, q, t + 1)));
  CHECK(worst <= 0.015);
  for (int t : {29, 89, 149, 209, 269, 359}) {
    CAPTURE(t);
    const v1::Estimate& f = r.series(t).converted_share();
    check_within(f, discrete[t], "converted share vs the discrete recursion");
    // Against Bass: the interval plus the discretisation error at t.
    CHECK(std::abs(f.mean() - bass(p, q, t + 1)) <=
          testing::t_half_width(f, 0.999) + std::abs(discrete[t] - bass(p, q, t + 1)));
  }
  CHECK(r.kpis().at("referred_conversions").mean() > 0);
  // Nobody churns without a repeat model or care: all customers active.
  CHECK(r.series(horizon - 1).active_customers().mean() ==
        doctest::Approx(r.kpis().at("conversions").mean()));
}

TEST_CASE("loyalty: word of mouth on a switched-off channel lands nowhere") {
  // A switched-off channel's touchpoints are gone for every landing,
  // referrals included (only the single-journey entry keeps them, to lose
  // the people it would have started: docs/model.md section 5).
  const std::string head = R"(
simulation { horizon_days: 60 agents: 5000 replications: 4 seed: 5 }
personas { id: "all" channel_affinity { key: "ads" value: 1 } }
channels { id: "ads" organic_reach: 0.02 }
channels { id: "friends" )";
  const std::string tail = R"( }
touchpoints { id: "ad" stage: AWARENESS channel: "ads" entry_weight: 1 goal { kind: "adoption" } }
touchpoints { id: "tip" stage: AWARENESS channel: "friends" entry_weight: 1 goal { kind: "adoption" } }
loyalty { referral { rate: 0.05 channel: "friends" landing_stage: AWARENESS } }
)";
  const v1::RunResult on = simulate(head + tail);
  const v1::RunResult off = simulate(head + "enabled: false" + tail);
  CHECK(on.kpis().at("referred_conversions").mean() > 0);
  CHECK(off.kpis().at("referred_conversions").mean() == 0);
  CHECK(off.kpis().at("conversions").mean() > 0);
}

TEST_CASE("loyalty: the retention curve is Kaplan-Meier over conversion cohorts") {
  // Horizon 5. Customers: 4 converted on day 0 (one churns at age 1, one at
  // age 3), 2 on day 2 (one churns at age 1), 1 on day 4 (censored at 0).
  LoyaltyCounts l;
  l.churn_age = {0, 2, 0, 1, 0, 0};
  l.churned_by_conversion_day = {2, 0, 1, 0, 0};
  const std::vector<uint64_t> conversions = {4, 0, 2, 0, 1};
  const std::vector<double> s = retention_curve(5, l, conversions);
  // At risk: age 0: 7; age 1: 6 (the day-4 customer is censored at 0); age
  // 2: 4 - 2... : churned at >= 2: 1, censored at >= 2: 2 (day 0) + 1 (day
  // 2, age 2) = 3, so 4; age 3: churned 1 + censored 2 = 3; age 4: 2.
  CHECK(s[0] == 1);
  CHECK(s[1] == doctest::Approx(1 - 2.0 / 6));
  CHECK(s[2] == doctest::Approx(s[1]));
  CHECK(s[3] == doctest::Approx(s[2] * (1 - 1.0 / 3)));
  CHECK(s[4] == doctest::Approx(s[3]));
}

TEST_CASE("loyalty: results are the same on 1 and 2 threads with care and referrals") {
  const std::string text = converted_on_day_zero(60, 6000, R"(
loyalty {
  bg_nbd { r: 0.5 alpha: 20 a: 1.5 b: 3 }
  care { channel: "shop" complaint_rate: 0.01 daily_capacity: 5 sla_days: 1 churn_if_unanswered: 0.5 public_share: 0.5 sentiment_impact: 0.1 praise_rate: 0.2 }
  referral { rate: 0.01 channel: "shop" landing_stage: DECISION }
})");
  v1::RunResult one = simulate(text, 1), two = simulate(text, 2);
  for (v1::RunResult* r : {&one, &two}) {
    testing::clear_run_details(r);
  }
  CHECK(testing::same_results(one, two));
  CHECK(one.kpis().at("complaints").mean() > 0);
  CHECK(one.kpis().at("praises").mean() > 0);
}

}  // namespace
}  // namespace cjsim
