// The 2F1 series against closed forms and high-precision values (computed
// with mpmath's hyp2f1 at 25 digits, and with 50-digit arithmetic over the
// ranges the retention models use), log_gamma against 50-digit values, and
// the log-space helpers.

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <vector>

#include <doctest/doctest.h>
#include <boost/multiprecision/cpp_bin_float.hpp>

#include "sim/special_functions.h"

namespace cjsim {
namespace {

TEST_CASE("special functions: 2F1 matches closed forms") {
  for (double z : {0.0, 0.1, 0.5, 0.9, 0.99}) {
    CAPTURE(z);
    // 2F1(1, 1; 2; z) = -ln(1 - z) / z.
    const double log_form = z == 0 ? 1 : -std::log1p(-z) / z;
    CHECK(hypergeometric_2f1(1, 1, 2, z) == doctest::Approx(log_form).epsilon(1e-13));
    // 2F1(a, b; b; z) = (1 - z)^-a.
    CHECK(hypergeometric_2f1(0.7, 2.5, 2.5, z) ==
          doctest::Approx(std::pow(1 - z, -0.7)).epsilon(1e-13));
  }
  // A terminating series: 2F1(-2, b; c; z) = 1 - 2bz/c + b(b+1)z^2/(c(c+1)).
  CHECK(hypergeometric_2f1(-2, 3, 4, 0.5) ==
        doctest::Approx(1 - 2 * 3 * 0.5 / 4 + 3 * 4 * 0.25 / (4 * 5)).epsilon(1e-15));
}

TEST_CASE("special functions: 2F1 matches high-precision values") {
  // E[X(78)] of BG/NBD on CDNOW needs this one: slow convergence near 1.
  CHECK(hypergeometric_2f1(0.243, 2.426, 2.219, 0.95) ==
        doctest::Approx(2.446186677030991811).epsilon(1e-13));
  CHECK(hypergeometric_2f1(1.5, -2.5, 0.5, 0.3) ==
        doctest::Approx(-0.4685296148590823068).epsilon(1e-13));
  CHECK(hypergeometric_2f1(2, 3, -1.5, 0.4) ==
        doctest::Approx(745.1395396069124033).epsilon(1e-12));
}

using Decimal50 = boost::multiprecision::cpp_bin_float_50;
constexpr double kEpsilon = std::numeric_limits<double>::epsilon();

// 2F1(a, b; c; z) for a, b, c > 0 and 0 <= z < 1 by its power series in
// 50-digit arithmetic, summed until a term is below 1e-45 of the sum (the
// terms fall monotonically once past the peak). `*terms` gets how many
// terms a double sum needs: until a term is below eps/2 of the sum.
Decimal50 reference_2f1(double a, double b, double c, double z, int* terms) {
  Decimal50 term = 1, sum = 1;
  *terms = 0;
  for (int k = 0; k < 100000; ++k) {
    term *= (Decimal50(a) + k) * (Decimal50(b) + k) / ((Decimal50(c) + k) * (k + 1)) * z;
    sum += term;
    if (*terms == 0 && term < sum * (kEpsilon / 2) && (a + k) * (b + k) * z < (c + k) * (k + 1)) {
      *terms = k + 1;
    }
    if (term < sum * Decimal50(1e-45) && *terms != 0) return sum;
  }
  FAIL("the reference series did not converge");
  return sum;
}

TEST_CASE("special functions: 2F1 matches 50-digit values over the retention models' ranges") {
  // BG/NBD (bg_nbd.cc): 2F1(r + x, b + x; a + b + x - 1; z), z = t / (alpha
  // + T + t) up to 0.95 (78 weeks ahead of a CDNOW customer just acquired).
  // Pareto/NBD (pareto_nbd.cc): 2F1(r + s + x, s + 1 or r + x; r + s + x +
  // 1; z), z up to 0.75 (beyond it the likelihood integrates instead).
  struct Case {
    double a, b, c, z;
  };
  std::vector<Case> cases;
  for (double r : {0.05, 0.243, 1.0, 5.0}) {
    for (double x : {0.0, 1.0, 5.0, 30.0}) {
      for (double a : {0.1, 0.793, 10.0}) {
        for (double b : {0.5, 2.426, 50.0}) {
          if (a + b + x - 1 <= 0) continue;
          for (double z : {0.0, 0.3, 0.75, 0.9, 0.95})
            cases.push_back({r + x, b + x, a + b + x - 1, z});
        }
      }
      for (double s : {0.05, 0.55, 5.0}) {
        for (double z : {0.1, 0.5, 0.75}) {
          cases.push_back({r + s + x, s + 1, r + s + x + 1, z});
          cases.push_back({r + s + x, r + x, r + s + x + 1, z});
        }
      }
    }
  }
  double worst = 0;
  for (const Case& c : cases) {
    CAPTURE(c.a);
    CAPTURE(c.b);
    CAPTURE(c.c);
    CAPTURE(c.z);
    int terms = 0;
    const Decimal50 exact = reference_2f1(c.a, c.b, c.c, c.z, &terms);
    const double error = static_cast<double>(
        abs((Decimal50(hypergeometric_2f1(c.a, c.b, c.c, c.z)) - exact) / exact));
    // Every term is positive; term k is a product of k ratios of four
    // rounded operations each, so it carries at most about 4 k eps, and the
    // sum of `terms` terms at most 4 terms eps, plus eps/2 of truncation.
    CHECK(error <= (4 * terms + 1) * kEpsilon);
    worst = std::max(worst, error);
  }
  CHECK(worst < 1e-13);  // measured: 3.2e-14 (z = 0.95), about 140 eps
}

TEST_CASE("special functions: log_gamma matches 50-digit values") {
  // From 1e-8 (the fits' lower bound) to 1e8, densest around the zeros at 1
  // and 2, where the error is measured against max(1, |ln Gamma|).
  std::vector<double> points;
  for (int i = 0; i <= 320; ++i) points.push_back(std::pow(10.0, -8 + i * 0.05));
  for (int i = 0; i <= 100; ++i) {
    points.push_back(0.9 + 0.002 * i);
    points.push_back(1.9 + 0.002 * i);
  }
  double worst = 0;
  for (double x : points) {
    CAPTURE(x);
    const Decimal50 exact = boost::multiprecision::lgamma(Decimal50(x));
    const double scale = std::max(1.0, std::abs(static_cast<double>(exact)));
    const double error = static_cast<double>(abs(Decimal50(log_gamma(x)) - exact)) / scale;
    CHECK(error <= 2 * kEpsilon);  // a correctly rounded result is within eps/2
    worst = std::max(worst, error);
  }
  CHECK(worst < 2 * kEpsilon);  // measured: 2.2e-16, about 1 eps
}

TEST_CASE("special functions: log_beta, log_gamma and log_add_exp") {
  CHECK(log_gamma(5) == doctest::Approx(std::log(24.0)).epsilon(1e-15));
  CHECK(log_beta(2, 3) == doctest::Approx(std::log(1.0 / 12)).epsilon(1e-14));
  CHECK(log_add_exp(std::log(2.0), std::log(3.0)) == doctest::Approx(std::log(5.0)));
  CHECK(log_add_exp(-1000, -1000) == doctest::Approx(-1000 + std::log(2.0)));
  const double minus_infinity = -std::numeric_limits<double>::infinity();
  CHECK(log_add_exp(minus_infinity, 1.5) == 1.5);
  CHECK(log_add_exp(minus_infinity, minus_infinity) == minus_infinity);
}

}  // namespace
}  // namespace cjsim
