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

}  // namespace
}  // namespace cjsim
