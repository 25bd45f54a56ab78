// The 2F1 series against closed forms and high-precision values (computed
// with mpmath's hyp2f1 at 25 digits), and the log-space helpers.

#include <cmath>
#include <initializer_list>
#include <limits>

#include <doctest/doctest.h>

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
