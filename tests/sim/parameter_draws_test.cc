// Parameter draws (sim/parameter_draws.h) and the estimate over them
// (estimate_over_draws): the total mean and interval of a single-journey
// scenario with one uncertain act probability against the exact answer
// integrated over its distribution (closed form by Gauss-Kronrod, not the
// engine's numbers), for a run, a comparison and a sweep's points and
// marginal; draws keyed by the seed alone; the same counts on 1 and 2
// threads; the estimator's split on designed data.

#include "sim/parameter_draws.h"

#include <cmath>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <tbb/task_arena.h>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>

#include "models/validation.h"
#include "sim/compare.h"
#include "sim/estimate.h"
#include "sim/run_result.h"
#include "sim/sweep.h"
#include "tests/sim/simulate.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::check_same_counts;
using testing::parse_text;

// ad (act probability p, uncertain) -> page (0.5) -> checkout (goal) with
// weight 3, or back to ad with weight 1, in the same session: a person
// converts with f(p) = p/2 * 3/4 / (1 - p/2 * 1/4) (the loop is geometric).
const char* kLoop = R"scenario(
name: "loop"
simulation { horizon_days: 5 agents: 4000 replications: 80 seed: 11 confidence: 0.95
             parameter_draws: 40 }
personas { id: "all" }
channels { id: "web" }
touchpoints { id: "ad" stage: AWARENESS channel: "web" cta { act_probability: 0.2 } entry_weight: 1 }
touchpoints { id: "page" stage: CONSIDERATION channel: "web" cta { act_probability: 0.5 } }
touchpoints { id: "checkout" stage: DECISION channel: "web" goal { kind: "purchase" value: 1 } }
edges { from: "ad" to: "page" }
edges { from: "page" to: "checkout" weight: 3 }
edges { from: "page" to: "ad" weight: 1 }
uncertain { path: "touchpoints[ad].cta.act_probability" beta { a: 2 b: 8 } }
)scenario";

double converts(double p) { return p / 2 * 0.75 / (1 - p / 2 * 0.25); }

// The conversion rate with page's act probability `page`, for ad's p.
double converts_at(double p, double page) { return p * page * 0.75 / (1 - p * page * 0.25); }

// The mean of f(p) over p ~ Beta(2, 8), the uncertain act probability of
// kLoop (Gauss-Kronrod, 61 points).
template <class F>
double over_beta(F f) {
  const boost::math::beta_distribution<> beta(2, 8);
  return boost::math::quadrature::gauss_kronrod<double, 61>::integrate(
      [&](double p) { return f(p) * boost::math::pdf(beta, p); }, 0.0, 1.0);
}

v1::RunResult run_with_draws(const v1::Scenario& scenario, int threads) {
  Diagnostics diagnostics;
  REQUIRE(validate_scenario(scenario, nullptr, diagnostics));
  const RunSettings run = resolve_run_settings(scenario.simulation());
  Result<std::vector<CompiledModel>> models =
      compile_draws(scenario, "", run.seed, run.parameter_draws);
  REQUIRE(models.is_ok());
  std::vector<ReplicationCounts> counts;
  tbb::task_arena arena(threads);
  arena.execute([&] { counts = run_draws(*models, run.seed, 0, run.replications); });
  return summarize_monte_carlo(*models, run, counts, threads, 0);
}

TEST_CASE("parameter draws: the total interval covers the conversion rate integrated over Beta") {
  const v1::Scenario scenario = parse_text(kLoop);
  const double exact = over_beta(converts);
  const v1::RunResult result = run_with_draws(scenario, 2);
  const v1::Estimate& rate = result.kpis().at("conversion_rate");
  INFO("exact " << exact << ", estimate " << rate.mean() << " [" << rate.ci_low() << ", "
                << rate.ci_high() << "]");
  CHECK(rate.parameter_draws() == 40);
  CHECK(testing::covers(rate, exact));
  // The parameters dominate: Beta(2, 8) spreads f(p) far more than 4,000
  // agents' binomial noise does.
  CHECK(rate.from_parameters() > 3 * rate.from_simulation());
  CHECK(rate.from_parameters() * rate.from_parameters() +
            rate.from_simulation() * rate.from_simulation() ==
        doctest::Approx(rate.std_error() * rate.std_error()).epsilon(1e-9));
  // The fixed scenario's interval is far narrower and misses the spread.
  v1::Scenario fixed = scenario;
  fixed.mutable_simulation()->clear_parameter_draws();
  const v1::Estimate fixed_rate = testing::plain_run(fixed).kpis().at("conversion_rate");
  CHECK(fixed_rate.std_error() < rate.std_error() / 3);
  CHECK_FALSE(fixed_rate.has_from_parameters());
}

TEST_CASE("parameter draws: the same counts on 1 and 2 threads, values keyed by seed and path") {
  v1::Scenario scenario = parse_text(kLoop);
  scenario.mutable_simulation()->set_replications(8);
  scenario.mutable_simulation()->set_parameter_draws(4);
  scenario.mutable_simulation()->set_agents(500);
  const RunSettings run = resolve_run_settings(scenario.simulation());
  const std::vector<CompiledModel> models = *compile_draws(scenario, "", run.seed, 4);
  std::vector<ReplicationCounts> one, two;
  tbb::task_arena(1).execute([&] { one = run_draws(models, run.seed, 0, 8); });
  tbb::task_arena(2).execute([&] { two = run_draws(models, run.seed, 0, 8); });
  REQUIRE(one.size() == two.size());
  for (size_t r = 0; r < one.size(); ++r) check_same_counts(one[r], two[r]);
  // A later range runs the same replications (shards and batches).
  std::vector<ReplicationCounts> tail;
  tbb::task_arena(2).execute([&] { tail = run_draws(models, run.seed, 5, 3); });
  for (size_t r = 0; r < tail.size(); ++r) check_same_counts(tail[r], one[5 + r]);

  // Another uncertain field before it changes nothing of its draws.
  v1::Scenario more = scenario;
  v1::Uncertain* other = more.add_uncertain();
  *other = more.uncertain(0);
  other->set_path("touchpoints[page].cta.act_probability");
  more.mutable_uncertain()->SwapElements(0, 1);
  for (int d = 0; d < 4; ++d) {
    const std::vector<double> a = drawn_values(scenario, run.seed, d);
    const std::vector<double> b = drawn_values(more, run.seed, d);
    CHECK(a[0] == b[1]);
    CHECK(a[0] > 0);
    CHECK(a[0] < 1);
  }
  CHECK(drawn_values(scenario, run.seed, 0) != drawn_values(scenario, run.seed + 1, 0));
}

TEST_CASE("parameter draws: draws lists take the same position in every list") {
  v1::Scenario scenario = parse_text(kLoop);
  scenario.clear_uncertain();
  v1::Uncertain* ad = scenario.add_uncertain();
  ad->set_path("touchpoints[ad].cta.act_probability");
  v1::Uncertain* page = scenario.add_uncertain();
  page->set_path("touchpoints[page].cta.act_probability");
  for (int k = 1; k <= 5; ++k) {
    ad->mutable_draws()->add_values(0.1 * k);
    page->mutable_draws()->add_values(0.1 * k + 0.05);
  }
  Diagnostics diagnostics;
  REQUIRE_MESSAGE(validate_scenario(scenario, nullptr, diagnostics), diagnostics.to_string());
  for (int d = 0; d < 20; ++d) {
    const std::vector<double> v = drawn_values(scenario, 3, d);
    CHECK(v[1] == doctest::Approx(v[0] + 0.05));
  }
}

TEST_CASE("parameter draws: the arms of a comparison run the same draws, paired") {
  v1::Scenario scenario = parse_text(kLoop);
  scenario.mutable_simulation()->set_agents(1000);
  scenario.mutable_simulation()->set_replications(16);
  scenario.mutable_simulation()->set_parameter_draws(8);
  v1::Scenario eager = scenario;
  eager.mutable_touchpoints(1)->mutable_cta()->set_act_probability(0.7);
  const RunSettings run = resolve_run_settings(scenario.simulation());
  std::vector<std::vector<CompiledModel>> arms;
  arms.push_back(*compile_draws(scenario, "", run.seed, 8));
  arms.push_back(*compile_draws(scenario, "same", run.seed, 8));
  arms.push_back(*compile_draws(eager, "eager", run.seed, 8));
  v1::CompareResult result;
  tbb::task_arena(2).execute(
      [&] { result = run_comparison(arms, run, CompareSettings{}, nullptr); });
  REQUIRE(result.differences_size() == 2);
  CHECK(result.differences(0).verdict().at("conversion_rate") == "no_change");
  const v1::Estimate& d = result.differences(1).kpis().at("conversion_rate");
  CHECK(d.parameter_draws() == 8);
  CHECK(result.differences(1).verdict().at("conversion_rate") == "better");
  // f(p) at page 0.7 over f(p) at 0.5, integrated over Beta(2, 8): the
  // paired interval covers the exact difference.
  const double exact =
      over_beta([](double p) { return converts_at(p, 0.7) - converts_at(p, 0.5); });
  INFO("exact " << exact << ", difference " << d.mean() << " [" << d.ci_low() << ", " << d.ci_high()
                << "]");
  CHECK(testing::covers(d, exact));
}

TEST_CASE("parameter draws: a sweep's points and marginals cover the answers over Beta") {
  // Page's act probability swept over 0.5 and 0.7, every point on the
  // same 40 draws of ad's: each point's total interval covers the exact
  // rate integrated over the distribution, and the marginal per unit of
  // the step covers the exact difference over it (sim/sweep.h).
  const v1::Scenario scenario = parse_text(kLoop);
  const std::vector<double> pages = {0.5, 0.7};
  const std::vector<SweepAxisValues> axes = {{"touchpoints[page].cta.act_probability", pages}};
  auto point_at = [&](size_t i) {
    v1::Scenario point = scenario;
    point.mutable_touchpoints(1)->mutable_cta()->set_act_probability(pages[i]);
    return point;
  };
  v1::SweepResult result;
  tbb::task_arena(2).execute([&] { result = run_sweep(scenario, axes, point_at, "", 2, nullptr); });
  REQUIRE(result.points_size() == 2);
  for (size_t i = 0; i < pages.size(); ++i) {
    const v1::Estimate& rate = result.points(static_cast<int>(i)).kpis().at("conversion_rate");
    const double exact = over_beta([&](double p) { return converts_at(p, pages[i]); });
    INFO("page " << pages[i] << ": exact " << exact << ", estimate " << rate.mean() << " ["
                 << rate.ci_low() << ", " << rate.ci_high() << "]");
    CHECK(rate.parameter_draws() == 40);
    CHECK(testing::covers(rate, exact));
    CHECK(rate.from_parameters() > 3 * rate.from_simulation());
  }
  REQUIRE(result.points(1).marginal_size() == 1);
  const v1::Estimate& marginal = result.points(1).marginal(0).kpis().at("conversion_rate");
  const double exact =
      over_beta([](double p) { return (converts_at(p, 0.7) - converts_at(p, 0.5)) / 0.2; });
  INFO("exact marginal " << exact << ", estimate " << marginal.mean() << " [" << marginal.ci_low()
                         << ", " << marginal.ci_high() << "]");
  CHECK(marginal.parameter_draws() == 40);
  CHECK(marginal.from_parameters() > 0);
  // Scaled per unit of the step with its parts.
  CHECK(marginal.from_parameters() * marginal.from_parameters() +
            marginal.from_simulation() * marginal.from_simulation() ==
        doctest::Approx(marginal.std_error() * marginal.std_error()).epsilon(1e-9));
  CHECK(testing::covers(marginal, exact));

  // The same estimates on one thread.
  v1::SweepResult one;
  tbb::task_arena(1).execute([&] { one = run_sweep(scenario, axes, point_at, "", 1, nullptr); });
  for (int i = 0; i < 2; ++i) {
    for (const auto& [name, e] : result.points(i).kpis()) {
      CHECK(one.points(i).kpis().at(name).SerializeAsString() == e.SerializeAsString());
    }
  }
}

TEST_CASE(
    "estimate_over_draws: equal draws give the t interval of the draw means, split by ANOVA") {
  // 3 draws x 4 replications: draw means 1, 2, 6; within-draw spread.
  const std::vector<double> offsets = {-1, 1, -0.5, 0.5};
  const std::vector<double> means = {1, 2, 6};
  std::vector<double> values(12);
  for (size_t r = 0; r < 12; ++r) values[r] = means[r % 3] + offsets[r / 3];
  const Estimate e = estimate_mean(values, 0.95, 3);
  CHECK(e.mean == doctest::Approx(3));
  // The mean of the draw means 1, 2, 6: s^2 = 7, standard error sqrt(7 / 3).
  CHECK(e.std_error == doctest::Approx(std::sqrt(7.0 / 3)));
  const double t = student_t_critical(0.95, 2);
  CHECK(e.ci_high - e.mean == doctest::Approx(t * std::sqrt(7.0 / 3)));
  // Within: each draw's squares 1 + 1 + 0.25 + 0.25 = 2.5, over R - D = 9.
  const double simulation = 3 * 2.5 / 9 / 12;
  CHECK(e.from_simulation * e.from_simulation == doctest::Approx(simulation));
  CHECK(e.from_parameters * e.from_parameters == doctest::Approx(7.0 / 3 - simulation));
  CHECK(e.parameter_draws == 3);
  // Without draws: the plain t interval, no split.
  const Estimate plain = estimate_mean(values, 0.95);
  CHECK(std::isnan(plain.from_parameters));
  CHECK(plain.parameter_draws == 0);
}

}  // namespace
}  // namespace cjsim
