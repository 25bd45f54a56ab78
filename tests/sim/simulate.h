// Runs a scenario's replications on the engine for the engine's tests:
// validated first (a test scenario that fails validation is a test bug),
// on two threads. Also the plain run and the variant arm the study tests
// (compare, sweep, curves) check their studies against, and a Student-t
// interval computed here, apart from sim/estimate.h, for the tests of the
// estimates; and a field-by-field check of two replications' counts (the
// determinism and tally tests).
#ifndef CJSIM_TESTS_SIM_SIMULATE_H_
#define CJSIM_TESTS_SIM_SIMULATE_H_

#include <cmath>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <tbb/task_arena.h>
#include <boost/accumulators/accumulators.hpp>
#include <boost/accumulators/statistics/mean.hpp>
#include <boost/accumulators/statistics/stats.hpp>
#include <boost/accumulators/statistics/variance.hpp>
#include <boost/math/distributions/students_t.hpp>

#include "models/compiled_model.h"
#include "models/validation.h"
#include "sim/engine.h"
#include "sim/run_result.h"

namespace cjsim::testing {

// CHECKs that every field of replication counts that add() merges is
// equal in `a` and `b` (the daily series and the current day are the
// end-of-day step's, not add()'s).
inline void check_same_counts(const ReplicationCounts& a, const ReplicationCounts& b) {
  CHECK(a.converted_agents == b.converted_agents);
  CHECK(a.converted_by_kind == b.converted_by_kind);
  CHECK(a.exposed_agents == b.exposed_agents);
  CHECK(a.reached == b.reached);
  CHECK(a.furthest_moves == b.furthest_moves);
  CHECK(a.touchpoints == b.touchpoints);
  CHECK(a.channel_paid == b.channel_paid);
  CHECK(a.channel_organic == b.channel_organic);
  CHECK(a.channel_reach == b.channel_reach);
  CHECK(a.channel_capped == b.channel_capped);
  CHECK(a.channel_opt_outs == b.channel_opt_outs);
  CHECK(a.retargeted_agents == b.retargeted_agents);
  CHECK(a.opted_out_agents == b.opted_out_agents);
  CHECK(a.channel_comments == b.channel_comments);
  CHECK(a.channel_negative_comments == b.channel_negative_comments);
  CHECK(a.comments_answered == b.comments_answered);
  CHECK(a.moderation_backlog == b.moderation_backlog);
  CHECK(a.credit == b.credit);
  CHECK(a.persona_converted == b.persona_converted);
  CHECK(a.persona_conversions == b.persona_conversions);
  const LoyaltyCounts &x = a.loyalty, &y = b.loyalty;
  CHECK(x.repeats == y.repeats);
  CHECK(x.repeats_by_goal == y.repeats_by_goal);
  CHECK(x.repeated_customers == y.repeated_customers);
  CHECK(x.churned == y.churned);
  CHECK(x.complaints == y.complaints);
  CHECK(x.answered == y.answered);
  CHECK(x.answered_in_sla == y.answered_in_sla);
  CHECK(x.sla_missed == y.sla_missed);
  CHECK(x.response_days == y.response_days);
  CHECK(x.referrals == y.referrals);
  CHECK(x.praises == y.praises);
  CHECK(x.referred_conversions == y.referred_conversions);
  CHECK(x.churn_age == y.churn_age);
  CHECK(x.churned_by_conversion_day == y.churned_by_conversion_day);
  CHECK(a.walk_steps == b.walk_steps);
  CHECK(a.sessions == b.sessions);
  CHECK(a.truncated_sessions == b.truncated_sessions);
}

inline std::vector<ReplicationCounts> simulate_counts(const v1::Scenario& scenario) {
  Diagnostics diagnostics;
  REQUIRE_MESSAGE(validate_scenario(scenario, nullptr, diagnostics), diagnostics.to_string());
  const CompiledModel model = compile(scenario, "");
  std::vector<ReplicationCounts> counts;
  tbb::task_arena arena(2);
  const RunSettings run = resolve_run_settings(scenario.simulation());
  arena.execute([&] { counts = Engine(model, run.seed).run(0, run.replications); });
  return counts;
}

// The result of `cjsim run` on `scenario`, without the command line.
inline v1::RunResult plain_run(const v1::Scenario& scenario) {
  return summarize_monte_carlo(compile(scenario, ""), resolve_run_settings(scenario.simulation()),
                               simulate_counts(scenario), 2, 0);
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
// `confidence`: mean and variance from Boost.Accumulators (its variance
// divides by n; the sample variance by n - 1), the quantile from
// Boost.Math, so that nothing is shared with sim/estimate.h.
struct Interval {
  double mean = 0, low = 0, high = 0;
};
inline Interval t_interval(std::span<const double> values, double confidence) {
  namespace acc = boost::accumulators;
  acc::accumulator_set<double, acc::stats<acc::tag::mean, acc::tag::variance>> moments;
  for (double v : values) moments(v);
  const double n = static_cast<double>(values.size());
  const double std_error = std::sqrt(acc::variance(moments) / (n - 1));
  const boost::math::students_t t(n - 1);
  const double half =
      boost::math::quantile(boost::math::complement(t, (1 - confidence) / 2)) * std_error;
  return {acc::mean(moments), acc::mean(moments) - half, acc::mean(moments) + half};
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
