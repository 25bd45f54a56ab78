// Paired comparisons: exact zeros for identical arms, the paired-t interval
// for plain means, the delta method for cost per conversion, the variance
// ratio and verdicts.

#include "sim/comparison.h"

#include <cmath>

#include <doctest/doctest.h>

namespace cjsim {
namespace {

KpiSeries series(std::vector<double> samples, bool higher_is_better = true) {
  KpiSeries k;
  k.name = "x";
  k.higher_is_better = higher_is_better;
  k.samples = std::move(samples);
  return k;
}

TEST_CASE("comparison: an arm identical to the baseline differs by exactly 0") {
  const KpiSeries a = series({0.011, 0.012, 0.0105, 0.0131});
  const KpiComparison c = compare_kpi(a, a, 0.95);
  CHECK(c.difference.mean == 0);
  CHECK(c.difference.std_error == 0);
  CHECK(c.difference.ci_low == 0);
  CHECK(c.difference.ci_high == 0);
  CHECK(c.relative.mean == 0);
  CHECK(std::isinf(c.variance_reduction));
  CHECK(c.verdict == Verdict::kNoChange);
  CHECK(verdict_name(c.verdict) == "no_change");
}

TEST_CASE("comparison: an exactly identical cost gets no change, not no detectable difference") {
  // The bug: a variant that does not touch the budgets had the same cost in
  // every replication, and the verdict said "no detectable difference".
  const KpiSeries cost = series({6000, 6000, 6000}, false);
  CHECK(compare_kpi(cost, cost, 0.95).verdict == Verdict::kNoChange);
  // A cost that changed by a fixed amount is a sure difference.
  const KpiSeries more = series({7000, 7000, 7000}, false);
  CHECK(compare_kpi(cost, more, 0.95).verdict == Verdict::kWorse);
  // Cost per conversion: the same conversions but another cost is a change.
  KpiSeries x = series({10, 12, 11}, false), y = x;
  x.form = y.form = KpiSeries::Form::kInverse;
  x.numerator = 100;
  y.numerator = 100;
  CHECK(compare_kpi(x, y, 0.95).verdict == Verdict::kNoChange);
  y.numerator = 120;
  CHECK(compare_kpi(x, y, 0.95).verdict != Verdict::kNoChange);
  // Equal means from different replications are not "no change".
  const KpiSeries a = series({10, 12, 11, 9}), b = series({12, 10, 9, 11});
  CHECK(compare_kpi(a, b, 0.95).verdict == Verdict::kNoDetectableDifference);
}

TEST_CASE("comparison: a plain mean gets the paired-t interval") {
  // d = y - x = 2, 3, 3, 4: mean 3, variance 2/3, se sqrt(2/3) / 2.
  const KpiSeries x = series({10, 12, 11, 9}), y = series({12, 15, 14, 13});
  const KpiComparison c = compare_kpi(x, y, 0.95);
  const double se = std::sqrt(2.0 / 3) / 2;
  CHECK(c.difference.mean == doctest::Approx(3));
  CHECK(c.difference.std_error == doctest::Approx(se));
  CHECK(c.difference.ci_low == doctest::Approx(3 - 3.182446305 * se));
  CHECK(c.difference.n == 4);
  CHECK(c.verdict == Verdict::kBetter);
  // Independent: var(x) + var(y) = 5/3 + 5/3 over var(d) = 2/3.
  CHECK(c.variance_reduction == doctest::Approx(5));
  // Relative: mean y / mean x - 1 = 13.5 / 10.5 - 1.
  CHECK(c.relative.mean == doctest::Approx(13.5 / 10.5 - 1));
}

TEST_CASE("comparison: lower is better for costs") {
  const KpiSeries x = series({10, 12, 11, 9}, false), y = series({12, 15, 14, 13}, false);
  CHECK(compare_kpi(x, y, 0.95).verdict == Verdict::kWorse);
  CHECK(compare_kpi(y, x, 0.95).verdict == Verdict::kBetter);
}

TEST_CASE("comparison: a difference that varies both ways is no detectable difference") {
  const KpiSeries x = series({10, 12, 11, 9}), y = series({11, 11, 12, 8});
  CHECK(compare_kpi(x, y, 0.95).verdict == Verdict::kNoDetectableDifference);
}

TEST_CASE("comparison: cost per conversion by the delta method") {
  // KPI = cost / mean(conversions). Numerical check of the linearisation:
  // the standard error equals that of the paired mean of
  // -cost_y / my^2 * y_r + cost_x / mx^2 * x_r.
  KpiSeries x = series({100, 110, 90, 105}, false), y = series({120, 125, 118, 131}, false);
  x.form = y.form = KpiSeries::Form::kInverse;
  x.numerator = 1000;
  y.numerator = 1200;
  const double mx = 101.25, my = 123.5;
  const KpiComparison c = compare_kpi(x, y, 0.95);
  CHECK(c.difference.mean == doctest::Approx(1200 / my - 1000 / mx));
  std::vector<double> l;
  for (int r = 0; r < 4; ++r) {
    l.push_back(-1200 / (my * my) * y.samples[r] + 1000 / (mx * mx) * x.samples[r]);
  }
  double m = 0;
  for (double v : l) m += v / 4;
  double ss = 0;
  for (double v : l) ss += (v - m) * (v - m);
  CHECK(c.difference.std_error == doctest::Approx(std::sqrt(ss / 3 / 4)));
}

TEST_CASE("comparison: a constant that changes is an exact difference") {
  const KpiSeries x = series({500, 500, 500}, false), y = series({450, 450, 450}, false);
  const KpiComparison c = compare_kpi(x, y, 0.95);
  CHECK(c.difference.mean == -50);
  CHECK(c.difference.std_error == 0);
  CHECK(c.variance_reduction == 1);
  CHECK(c.verdict == Verdict::kBetter);
}

TEST_CASE("comparison: a random difference that did not vary is no variation, a fixed one is not") {
  const KpiSeries x = series({3, 3, 3}), y = series({4, 4, 4});
  CHECK(compare_kpi(x, y, 0.95).difference.no_variation);
  KpiSeries cost = series({500, 500, 500}, false), more = series({450, 450, 450}, false);
  cost.fixed_by_model = more.fixed_by_model = true;
  const KpiComparison c = compare_kpi(cost, more, 0.95);
  CHECK_FALSE(c.difference.no_variation);
  CHECK_FALSE(c.relative.no_variation);
  CHECK_FALSE(compare_kpi(series({1, 2, 3}), series({2, 2, 5}), 0.95).difference.no_variation);
}

TEST_CASE("comparison: a zero baseline has no relative change") {
  const KpiComparison c = compare_kpi(series({0, 0, 0}), series({1, 1.1, 0.9}), 0.95);
  CHECK(std::isnan(c.relative.mean));
  CHECK(c.verdict == Verdict::kBetter);
}

TEST_CASE("comparison: scaling by a negative step flips the interval") {
  const Estimate e{2, 0.5, 1, 3, 10};
  const Estimate s = scale_estimate(e, -0.5);
  CHECK(s.mean == -1);
  CHECK(s.std_error == 0.25);
  CHECK(s.ci_low == -1.5);
  CHECK(s.ci_high == -0.5);
}

}  // namespace
}  // namespace cjsim
