// BG/NBD expressions (Fader, Hardie & Lee 2005): likelihoods worked by hand,
// the conditional expectation against a numerical integration of the
// model's definition, and the change of time unit.

#include <cmath>

#include <doctest/doctest.h>

#include "sim/bg_nbd.h"

namespace cjsim {
namespace {

TEST_CASE("bg/nbd: likelihoods of small cases worked by hand") {
  const BgNbdParameters ones{1, 1, 1, 1};
  // x = 0, T = 1: B(1,1)/B(1,1) * Gamma(1) 1^1 / (Gamma(1) 2^1) = 1/2.
  CHECK(std::exp(bg_nbd_log_likelihood(ones, 0, 0, 1)) == doctest::Approx(0.5));
  // x = 1, t_x = 1, T = 2: B(1,2)/B(1,1) / 3^2 + B(2,1)/B(1,1) / 2^2 = 1/18 + 1/8.
  CHECK(std::exp(bg_nbd_log_likelihood(ones, 1, 1, 2)) == doctest::Approx(13.0 / 72));
  // x = 2, t_x = 1, T = 3 with r = 2, alpha = 1, a = 2, b = 3:
  // Gamma(4)/Gamma(2) = 6; B(2,5)/B(2,3) = 2/5 over 4^4; B(3,4)/B(2,3) = 1/5 over 2^4.
  const double by_hand = 6 * (2.0 / 5 / 256 + 1.0 / 5 / 16);
  CHECK(std::exp(bg_nbd_log_likelihood({2, 1, 2, 3}, 2, 1, 3)) ==
        doctest::Approx(by_hand).epsilon(1e-13));
}

TEST_CASE("bg/nbd: the conditional expectation equals the integral over the posterior") {
  // mpmath, 20 digits: the double integral over lambda and p of
  // (1-p)^x lambda^x e^(-lambda T) (1 - e^(-lambda p t)) / p against the
  // likelihood, at the CDNOW estimates, for x = 2, t_x = 20, T = 30, t = 39.
  const BgNbdParameters p{0.242595, 4.413605, 0.792921, 2.425905};
  CHECK(bg_nbd_conditional_expected_transactions(p, 39, 2, 20, 30) ==
        doctest::Approx(1.3629262242625055).epsilon(1e-12));
  // Nobody is expected to buy in no time; a customer without repeats is active.
  CHECK(bg_nbd_conditional_expected_transactions(p, 0, 2, 20, 30) == 0);
  CHECK(bg_nbd_probability_active(p, 0, 0, 30) == 1);
  CHECK(bg_nbd_probability_active(p, 2, 20, 30) < bg_nbd_probability_active(p, 2, 29, 30));
  // A new customer: eq. 10 at x = t_x = T = 0 is eq. 9.
  CHECK(bg_nbd_conditional_expected_transactions(p, 10, 0, 0, 0) ==
        bg_nbd_expected_transactions(p, 10));
}

TEST_CASE("bg/nbd: per-day parameters describe the same customers") {
  const BgNbdParameters weekly{0.243, 4.414, 0.793, 2.426};
  const BgNbdParameters daily = bg_nbd_per_day(weekly, 7);
  CHECK(daily.alpha == doctest::Approx(30.898));
  CHECK(daily.r == weekly.r);
  CHECK(daily.a == weekly.a);
  CHECK(daily.b == weekly.b);
  CHECK(bg_nbd_conditional_expected_transactions(daily, 7 * 39, 3, 7 * 20, 7 * 30) ==
        doctest::Approx(bg_nbd_conditional_expected_transactions(weekly, 39, 3, 20, 30))
            .epsilon(1e-12));
  // The likelihood of the same data in days differs by the Jacobian only:
  // x transactions at densities per day, 7^-x of those per week.
  CHECK(bg_nbd_log_likelihood(daily, 3, 7 * 20, 7 * 30) ==
        doctest::Approx(bg_nbd_log_likelihood(weekly, 3, 20, 30) - 3 * std::log(7.0)));
}

}  // namespace
}  // namespace cjsim
