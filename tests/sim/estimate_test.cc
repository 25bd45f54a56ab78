// Estimates: mean, standard error and Student-t intervals.

#include <cmath>
#include <limits>
#include <vector>

#include <doctest/doctest.h>

#include "sim/estimate.h"

namespace cjsim {
namespace {

TEST_CASE("estimate: Student-t critical values match the tables") {
  CHECK(student_t_critical(0.95, 15) == doctest::Approx(2.131).epsilon(1e-3));
  CHECK(student_t_critical(0.95, 1) == doctest::Approx(12.706).epsilon(1e-3));
  CHECK(student_t_critical(0.99, 30) == doctest::Approx(2.750).epsilon(1e-3));
  CHECK(student_t_critical(0.95, 1e6) == doctest::Approx(1.960).epsilon(1e-3));
}

TEST_CASE("estimate: mean, standard error and interval of replications") {
  const std::vector<double> values = {1, 2, 3, 4};
  const Estimate e = estimate_mean(values, 0.95);
  CHECK(e.mean == doctest::Approx(2.5));
  // sd = sqrt(5/3); se = sd / 2.
  CHECK(e.std_error == doctest::Approx(std::sqrt(5.0 / 3.0) / 2));
  CHECK(e.ci_high - e.mean == doctest::Approx(3.182446 * e.std_error).epsilon(1e-5));
  CHECK(e.mean - e.ci_low == doctest::Approx(e.ci_high - e.mean));
  CHECK(e.n == 4);
  const Estimate same = estimate_mean(std::vector<double>{7, 7, 7}, 0.9);
  CHECK(same.std_error == 0);
  CHECK(same.ci_low == 7);
}

TEST_CASE("estimate: exact values and ratios to a fixed cost") {
  const Estimate exact = exact_estimate(3.5);
  CHECK(exact.ci_low == 3.5);
  CHECK(exact.ci_high == 3.5);
  CHECK(exact.n == 0);

  const Estimate conversions{100, 10, 80, 120, 16};
  const Estimate cpa = ratio_of_fixed(1000, conversions);
  CHECK(cpa.mean == doctest::Approx(10));
  CHECK(cpa.ci_low == doctest::Approx(1000.0 / 120));
  CHECK(cpa.ci_high == doctest::Approx(1000.0 / 80));
  CHECK(cpa.std_error == doctest::Approx(1000.0 * 10 / (100.0 * 100)));

  const Estimate none{0, 0, 0, 0, 16};
  CHECK(std::isinf(ratio_of_fixed(1000, none).mean));
  CHECK(ratio_of_fixed(0, none).mean == 0);
  const Estimate maybe{5, 3, -1, 11, 16};
  CHECK(std::isinf(ratio_of_fixed(10, maybe).ci_high));
}

TEST_CASE("estimate: the no-event bound is the rule of three") {
  // Closed form: seeing no event in n trials at rate p has probability
  // exp(-n p) (Poisson); the bound is the p where that is 1 - confidence.
  for (double n : {3.0, 300.0, 900.0, 1e6}) {
    CAPTURE(n);
    const double p = no_event_upper_bound(n, 0.95);
    CHECK(std::exp(-n * p) == doctest::Approx(0.05).epsilon(1e-12));
    // The rule of three: about 3 / n (-ln 0.05 = 2.9957).
    CHECK(p * n == doctest::Approx(2.995732).epsilon(1e-6));
    CHECK(p == doctest::Approx(3 / n).epsilon(0.0015));
    // At least the exact binomial bound 1 - 0.05^(1 / n), so it bounds a share.
    CHECK(p >= 1 - std::pow(0.05, 1 / n));
  }
  CHECK(no_event_upper_bound(100, 0.99) * 100 == doctest::Approx(4.60517).epsilon(1e-5));
}

TEST_CASE("estimate: an interval clipped to the possible range keeps its mean and error") {
  // The praises of the bug: 18.8 [-2.73, 40.2] from a few praises a replication.
  const Estimate praises{18.8, 5.0, -2.73, 40.2, 3};
  const Estimate count = clip_to_range(praises, kNonNegative);
  CHECK(count.ci_low == 0);
  CHECK(count.ci_high == 40.2);
  CHECK(count.mean == 18.8);
  CHECK(count.std_error == 5.0);
  CHECK(count.n == 3);
  const Estimate share = clip_to_range({0.92, 0.03, 0.81, 1.03, 3}, kShareRange);
  CHECK(share.ci_low == 0.81);
  CHECK(share.ci_high == 1);
  CHECK(clip_to_range({0.02, 0.01, -0.01, 0.05, 3}, kShareRange).ci_low == 0);
  // A difference may be negative: no range, no clipping.
  CHECK(clip_to_range(praises, kAnyValue).ci_low == -2.73);
  // An undefined interval stays undefined.
  const Estimate undefined = clip_to_range({kNaN, kNaN, kNaN, kNaN, 3}, kNonNegative);
  CHECK(std::isnan(undefined.ci_low));
  CHECK(std::isnan(undefined.ci_high));
}

TEST_CASE("estimate: replications that all agree are no variation, not exact") {
  const std::vector<double> same = {2, 2, 2};
  const Estimate steady = estimate_mean(same, 0.95);
  CHECK(steady.no_variation);
  CHECK(steady.n == 3);
  CHECK(steady.std_error == 0);
  const std::vector<double> varied = {1, 2, 3};
  CHECK_FALSE(estimate_mean(varied, 0.95).no_variation);
  const std::vector<double> zero = {0, 0};
  CHECK(linearized_estimate(5, zero, 0.95).no_variation);
  CHECK_FALSE(exact_estimate(5, 3).no_variation);
}

}  // namespace
}  // namespace cjsim
