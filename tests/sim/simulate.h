// Runs a scenario's replications on the engine for the engine's tests:
// validated first (a test scenario that fails validation is a test bug),
// on two threads. Also the plain run and the variant arm the study tests
// (compare, sweep, curves) check their studies against, and a Student-t
// interval computed here, apart from sim/estimate.h, for the tests of the
// estimates.
#ifndef CJSIM_TESTS_SIM_SIMULATE_H_
#define CJSIM_TESTS_SIM_SIMULATE_H_

#include <cmath>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <tbb/task_arena.h>
#include <boost/math/distributions/students_t.hpp>

#include "models/compiled_model.h"
#include "models/validation.h"
#include "sim/engine.h"
#include "sim/run_result.h"

namespace cjsim::testing {

inline std::vector<ReplicationCounts> simulate_counts(const v1::Scenario& scenario) {
  Diagnostics diagnostics;
  REQUIRE_MESSAGE(validate_scenario(scenario, nullptr, diagnostics), diagnostics.to_string());
  const CompiledModel model = compile(scenario, "");
  std::vector<ReplicationCounts> counts;
  tbb::task_arena arena(2);
  arena.execute([&] { counts = Engine(model).run(0, model.settings.replications); });
  return counts;
}

// The result of `cjsim run` on `scenario`, without the command line.
inline v1::RunResult plain_run(const v1::Scenario& scenario) {
  return summarize_monte_carlo(compile(scenario, ""), simulate_counts(scenario), 2, 0);
}

// `scenario` with variant `name` applied and validated, compiled as that
// variant's arm (an empty name: the baseline).
inline CompiledModel compiled_arm(const v1::Scenario& scenario, const std::string& name) {
  Diagnostics diagnostics;
  if (name.empty()) {
    REQUIRE_MESSAGE(validate_scenario(scenario, nullptr, diagnostics), diagnostics.to_string());
    return compile(scenario, "");
  }
  std::optional<v1::Scenario> applied = apply_and_validate_variant(scenario, name, diagnostics);
  REQUIRE_MESSAGE(applied.has_value(), diagnostics.to_string());
  return compile(*applied, name);
}

// The mean of `values` and its two-sided Student-t interval at
// `confidence`, from the textbook formulas and Boost's t quantile.
struct Interval {
  double mean = 0, low = 0, high = 0;
};
inline Interval t_interval(std::span<const double> values, double confidence) {
  const double n = static_cast<double>(values.size());
  double sum = 0;
  for (double v : values) sum += v;
  const double mean = sum / n;
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  const double std_error = std::sqrt(squares / (n - 1) / n);
  const boost::math::students_t t(n - 1);
  const double critical = boost::math::quantile(boost::math::complement(t, (1 - confidence) / 2));
  return {mean, mean - critical * std_error, mean + critical * std_error};
}

// The half-width of the two-sided Student-t interval at `confidence` around
// e's mean, with e's standard error and n - 1 degrees of freedom: the
// interval a run at that confidence would report (before clipping).
inline double t_half_width(const v1::Estimate& e, double confidence) {
  const boost::math::students_t t(static_cast<double>(e.n() - 1));
  return boost::math::quantile(boost::math::complement(t, (1 - confidence) / 2)) * e.std_error();
}

// Whether `truth` lies in that interval. At 0.999 a correct engine fails
// such a check once in a thousand seeds.
inline bool within_t_interval(const v1::Estimate& e, double truth, double confidence) {
  return std::abs(e.mean() - truth) <= t_half_width(e, confidence);
}

}  // namespace cjsim::testing

#endif  // CJSIM_TESTS_SIM_SIMULATE_H_
