// Tests of sim/calibration.h: which fields may be fitted; recovery of known
// parameters from observations cjsim made on another seed (the truth inside
// the 95% intervals); a lift test alone pins a channel's max reach; the
// calibrated scenario validates and carries joint draws; the same result on
// 1 and 2 threads. Seeds are fixed; tolerances come from the intervals.

#include "sim/calibration.h"

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <tbb/task_arena.h>

#include "models/diagnostics.h"
#include "models/validation.h"
#include "tests/test_support.h"
#include "tools/validate/recovery_scenario.h"

namespace cjsim {
namespace {

using testing::contains;
using testing::parse_text;

const std::string kRecovery = validate::kRecoveryScenario;

Observation spec(const std::string& kpi, int from, int to, const std::string& variant = "") {
  Observation o;
  o.kpi = kpi;
  o.window = {from, to};
  o.variant = variant;
  o.std_error = 1;
  return o;
}

// Weekly conversions and the first week's awareness.
std::vector<Observation> weekly() {
  std::vector<Observation> specs;
  for (int w = 0; w < 4; ++w) specs.push_back(spec("conversions", 7 * w, 7 * w + 6));
  specs.push_back(spec("awareness_rate", 0, 6));
  for (size_t k = 0; k < specs.size(); ++k) specs[k].line = static_cast<int>(k) + 2;
  return specs;
}

Calibration run(const v1::Scenario& s, const std::vector<Observation>& observations,
                const std::vector<FreeParameter>& parameters, int threads = 2) {
  CalibrationSettings settings;
  settings.threads = threads;
  settings.draws = 50;
  std::optional<Result<Calibration>> out;
  tbb::task_arena(threads).execute(
      [&] { out = calibrate(s, s, observations, parameters, settings, nullptr); });
  REQUIRE(out->is_ok());
  return out->value();
}

TEST_CASE("calibration: free parameters from --free and from uncertain entries") {
  v1::Scenario s = parse_text(kRecovery);
  auto refused = [&](std::vector<std::string> specs, const std::string& part) {
    Result<std::vector<FreeParameter>> r = free_parameters(s, specs);
    REQUIRE_FALSE(r.is_ok());
    INFO(r.status().message());
    CHECK(contains(r.status().message(), part));
  };
  refused({"touchpoints[page].cta.act_probability=0.1:0.9",
           "touchpoints[page].cta.act_probability=0.2:0.8"},
          "given twice");
  refused({"touchpoints[page].cta.act_probability=0.5:0.5"}, "LO < HI");
  refused({"touchpoints[page].cta.act_probability=0.1:1.5"}, "field's range [0, 1]");
  refused({"channels[paid].weekly_budget=100:9000"}, "budget and CPM");
  refused({"simulation.agents=10:100"}, "simulation settings");
  refused({"touchpoints[nope].cta.act_probability=0.1:0.2"}, "nope");
  refused({"touchpoints[page].cta.act_probability"}, "PATH=LO:HI");
  refused({}, "nothing to fit");
  // The holdout switches the paid channel off, which changes nothing a
  // variant-free fit could not carry; a variant changing a fitted field is
  // refused (the calibrated scenario would not validate).
  v1::Variant* bold = s.add_variants();
  bold->set_name("bold");
  v1::CtaChange* change = bold->add_cta_changes();
  change->set_touchpoint("page");
  change->set_act_probability(0.7);
  refused({"touchpoints[page].cta.act_probability=0.1:0.9"}, "variant 'bold' changes this field");
  s.mutable_variants()->RemoveLast();

  Result<std::vector<FreeParameter>> given = free_parameters(
      s, {"edges[page->checkout].weight=0.5:2", "channels[paid].max_reach=0.01:0.2"});
  REQUIRE(given.is_ok());
  CHECK(given->at(1).path == "channels[paid].max_reach");
  CHECK(given->at(1).high == 0.2);

  // Without --free: the uncertain entries, over their central 99.8%.
  v1::Uncertain* u = s.add_uncertain();
  u->set_path("touchpoints[page].cta.act_probability");
  u->mutable_beta()->set_a(50);
  u->mutable_beta()->set_b(50);
  Result<std::vector<FreeParameter>> drawn = free_parameters(s, {});
  REQUIRE(drawn.is_ok());
  REQUIRE(drawn->size() == 1);
  CHECK(drawn->at(0).low > 0.3);
  CHECK(drawn->at(0).low < 0.5);
  CHECK(drawn->at(0).high > 0.5);
  CHECK(drawn->at(0).high < 0.7);
}

TEST_CASE("calibration: parameters in words") {
  CHECK(parameter_label("touchpoints[ig_ad].cta.act_probability") == "act probability of ig_ad");
  CHECK(parameter_label("channels[tiktok].max_reach") == "max reach of tiktok");
  CHECK(parameter_label("edges[site->checkout].weight") == "weight of edge site->checkout");
  CHECK(parameter_label("personas[students].channel_affinity[tiktok]") ==
        "channel affinity of students for tiktok");
}

TEST_CASE("calibration: recovers known parameters from observations of another seed") {
  const v1::Scenario truth = parse_text(kRecovery);
  const std::vector<Observation> observed = simulated_observations(truth, weekly(), 99).value();
  // Start away from the truth (0.5 and 0.1).
  v1::Scenario start = truth;
  start.mutable_touchpoints(2)->mutable_cta()->set_act_probability(0.3);
  start.mutable_channels(0)->set_organic_reach(0.2);
  Result<std::vector<FreeParameter>> parameters = free_parameters(
      start,
      {"touchpoints[page].cta.act_probability=0.1:0.9", "channels[social].organic_reach=0.01:0.5"});
  REQUIRE(parameters.is_ok());
  const Calibration c = run(start, observed, *parameters);
  const v1::CalibrationResult& r = c.result;
  REQUIRE(r.parameters_size() == 2);
  for (int i = 0; i < 2; ++i) {
    const v1::CalibrationParameter& p = r.parameters(i);
    const double truth_value = i == 0 ? 0.5 : 0.1;
    INFO(p.path() << " " << p.estimate() << " [" << p.ci_low() << ", " << p.ci_high() << "]");
    CHECK(p.identified());
    CHECK(p.std_error() > 0);
    CHECK(p.ci_low() <= truth_value);
    CHECK(truth_value <= p.ci_high());
    // The interval says something: narrower than the range searched.
    CHECK(p.ci_high() - p.ci_low() < (p.high() - p.low()) / 4);
  }
  CHECK(r.degrees_of_freedom() == 3);
  CHECK(r.has_p_value());
  CHECK(r.observations_size() == 5);
  CHECK(r.correlation_size() == 2);
  CHECK(r.evaluations() > 0);
  CHECK(r.simulations() > 0);

  // The calibrated scenario: valid, fitted values in place, one joint
  // draws list per parameter, of equal length, inside the bounds.
  Diagnostics d("calibrated");
  CHECK(validate_scenario(c.calibrated, nullptr, d));
  CHECK(c.calibrated.touchpoints(2).cta().act_probability() == r.parameters(0).estimate());
  REQUIRE(c.calibrated.uncertain_size() == 2);
  for (const v1::Uncertain& u : c.calibrated.uncertain()) {
    REQUIRE(u.has_draws());
    CHECK(u.draws().values_size() == 50);
  }
  // Draw k of both lists is one joint sample: their sample correlation
  // has the sign of the fitted one.
  const auto& a = c.calibrated.uncertain(0).draws().values();
  const auto& b = c.calibrated.uncertain(1).draws().values();
  double ma = 0, mb = 0;
  for (int k = 0; k < a.size(); ++k) {
    ma += a[k] / a.size();
    mb += b[k] / b.size();
  }
  double cov = 0;
  for (int k = 0; k < a.size(); ++k) cov += (a[k] - ma) * (b[k] - mb);
  const double rho = r.correlation(0).values(1);
  if (std::abs(rho) > 0.3) CHECK((cov > 0) == (rho > 0));
}

TEST_CASE("calibration: precise observations and a start far off still recover the truth") {
  // Observations far more precise than the simulation that fits them
  // (40,000 agents against 4,000, and their errors a tenth of that run's),
  // and a start far off. (The weights held within a search came from a
  // two-parameter fit of the nonprofit example that stopped at 33% where
  // the data asked for 1%; this smaller scenario does not reproduce it,
  // and checks the harder setting all the same.)
  v1::Scenario truth = parse_text(kRecovery);
  truth.mutable_simulation()->set_agents(40000);
  std::vector<Observation> observed = simulated_observations(truth, weekly(), 99).value();
  for (Observation& o : observed) o.std_error /= 10;
  v1::Scenario start = parse_text(kRecovery);
  start.mutable_touchpoints(2)->mutable_cta()->set_act_probability(0.85);
  start.mutable_channels(0)->set_organic_reach(0.3);
  Result<std::vector<FreeParameter>> parameters = free_parameters(
      start,
      {"touchpoints[page].cta.act_probability=0.1:0.9", "channels[social].organic_reach=0.01:0.5"});
  REQUIRE(parameters.is_ok());
  const v1::CalibrationResult r = run(start, observed, *parameters).result;
  REQUIRE(r.parameters_size() == 2);
  for (int i = 0; i < 2; ++i) {
    const v1::CalibrationParameter& p = r.parameters(i);
    const double truth_value = i == 0 ? 0.5 : 0.1;
    INFO(p.path() << " " << p.estimate() << " [" << p.ci_low() << ", " << p.ci_high() << "]");
    CHECK(p.ci_low() <= truth_value);
    CHECK(truth_value <= p.ci_high());
  }
  // The fit is good: chi2 on 3 degrees of freedom below its 99.9% point.
  CHECK(r.chi_square() < 16.27);
}

TEST_CASE("calibration: a lift test alone pins a channel's max reach") {
  const v1::Scenario truth = parse_text(kRecovery);
  std::vector<Observation> specs = {spec("conversions", 0, 27, "holdout")};
  specs[0].line = 2;
  const std::vector<Observation> observed = simulated_observations(truth, specs, 77).value();
  REQUIRE(observed[0].value < 0);  // switching the channel off loses conversions
  v1::Scenario start = truth;
  start.mutable_channels(1)->set_max_reach(0.02);
  Result<std::vector<FreeParameter>> parameters =
      free_parameters(start, {"channels[paid].max_reach=0.005:0.2"});
  REQUIRE(parameters.is_ok());
  const v1::CalibrationResult r = run(start, observed, *parameters).result;
  const v1::CalibrationObservation& o = r.observations(0);
  INFO("observed " << o.observed() << " ± " << o.observed_std_error() << ", simulated "
                   << o.simulated().mean());
  CHECK(std::abs(o.simulated().mean() - o.observed()) <= o.observed_std_error());
  CHECK(r.degrees_of_freedom() == 0);
  CHECK_FALSE(r.has_p_value());
  const v1::CalibrationParameter& p = r.parameters(0);
  CHECK(p.ci_low() <= 0.05);
  CHECK(0.05 <= p.ci_high());
}

TEST_CASE("calibration: parameters the observations cannot tell apart are named") {
  // Only the product of the ad's and the page's act probabilities matters
  // to the conversions: their correlation is close to -1.
  const v1::Scenario truth = parse_text(kRecovery);
  std::vector<Observation> specs = {spec("conversions", 0, 13), spec("conversions", 14, 27)};
  const std::vector<Observation> observed = simulated_observations(truth, specs, 5).value();
  Result<std::vector<FreeParameter>> parameters =
      free_parameters(truth, {"touchpoints[ad].cta.act_probability=0.1:0.9",
                              "touchpoints[page].cta.act_probability=0.1:0.9"});
  REQUIRE(parameters.is_ok());
  const v1::CalibrationResult r = run(truth, observed, *parameters).result;
  bool named = false;
  for (const std::string& w : r.warnings()) {
    named =
        named || (contains(w, "act probability of ad") && contains(w, "act probability of page"));
  }
  CHECK(named);
}

TEST_CASE("calibration: the same result on 1 and 2 threads") {
  const v1::Scenario truth = parse_text(kRecovery);
  const std::vector<Observation> observed = simulated_observations(truth, weekly(), 11).value();
  Result<std::vector<FreeParameter>> parameters =
      free_parameters(truth, {"touchpoints[page].cta.act_probability=0.1:0.9"});
  REQUIRE(parameters.is_ok());
  Calibration one = run(truth, observed, *parameters, 1);
  Calibration two = run(truth, observed, *parameters, 2);
  for (Calibration* c : {&one, &two}) {
    c->result.set_wall_seconds(0);
    c->result.mutable_provenance()->clear_threads();
  }
  CHECK(one.result.SerializeAsString() == two.result.SerializeAsString());
  CHECK(testing::to_text(one.calibrated) == testing::to_text(two.calibrated));
}

}  // namespace
}  // namespace cjsim
