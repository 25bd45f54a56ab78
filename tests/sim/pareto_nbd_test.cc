// Pareto/NBD expressions: a likelihood worked by hand, the hypergeometric
// and quadrature forms of the dropout term against each other and against
// mpmath (25 digits) on both sides of alpha = beta, and the change of unit.

#include <cmath>

#include <doctest/doctest.h>

#include "sim/pareto_nbd.h"

namespace cjsim {
namespace {

TEST_CASE("pareto/nbd: a likelihood worked by hand") {
  // r = alpha = s = beta = 1, x = 0, T = 1:
  // 1/((1+1)(1+1)) + integral_0^1 (1+y)^-3 dy = 1/4 + 3/8.
  const ParetoNbdParameters ones{1, 1, 1, 1};
  CHECK(std::exp(pareto_nbd_log_likelihood(ones, 0, 0, 1)) == doctest::Approx(5.0 / 8));
  CHECK(pareto_nbd_probability_active(ones, 0, 0, 1) == doctest::Approx(0.4));
  // alpha = beta makes the 2F1 argument 0: the series is 1.
  CHECK(std::exp(pareto_nbd_log_dropout_term_hypergeometric(ones, 0, 0, 1)) ==
        doctest::Approx(3.0 / 8));
}

struct Case {
  ParetoNbdParameters p;
  double x, t_x, t_cal;
  double log_likelihood, probability_active;  // mpmath
};

TEST_CASE("pareto/nbd: both forms of the likelihood agree with mpmath") {
  const Case cases[] = {
      // alpha < beta, near the CDNOW estimates.
      {{0.55, 10.58, 0.61, 11.66}, 3, 20, 35, -11.858732777057963, 0.62354080815773644},
      // alpha < beta, far apart: the 2F1 argument is close to 1.
      {{0.9, 2, 1.7, 30}, 5, 2, 40, -6.3302259068850121, 6.2234703334141954e-06},
      // alpha > beta, far apart.
      {{0.5, 100, 0.8, 0.5}, 2, 1, 30, -10.526006942729599, 0.054116007253453782},
  };
  for (const Case& c : cases) {
    CAPTURE(c.p.alpha);
    CAPTURE(c.p.beta);
    CHECK(pareto_nbd_log_likelihood(c.p, c.x, c.t_x, c.t_cal) ==
          doctest::Approx(c.log_likelihood).epsilon(1e-12));
    CHECK(pareto_nbd_probability_active(c.p, c.x, c.t_x, c.t_cal) ==
          doctest::Approx(c.probability_active).epsilon(1e-10));
    const double by_quadrature = pareto_nbd_log_dropout_term_quadrature(c.p, c.x, c.t_x, c.t_cal);
    const double by_series = pareto_nbd_log_dropout_term_hypergeometric(c.p, c.x, c.t_x, c.t_cal);
    CHECK(by_series == doctest::Approx(by_quadrature).epsilon(1e-11));
  }
  // A customer who bought at the very end cannot have dropped out unseen.
  const ParetoNbdParameters p{0.55, 10.58, 0.61, 11.66};
  CHECK(pareto_nbd_probability_active(p, 2, 35, 35) == 1);
}

TEST_CASE("pareto/nbd: expectations, s near 1, and per-day parameters") {
  const ParetoNbdParameters p{0.55, 10.58, 0.61, 11.66};
  // mpmath: (r+x)(beta+T)/((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)] P(active).
  CHECK(pareto_nbd_conditional_expected_transactions(p, 39, 3, 20, 35) ==
        doctest::Approx(1.5533588469644997).epsilon(1e-10));
  // E[X(t)] = r beta / (alpha (s - 1)) [1 - (beta / (beta + t))^(s - 1)].
  const double t = 52;
  CHECK(pareto_nbd_expected_transactions(p, t) ==
        doctest::Approx(p.r * p.beta / (p.alpha * (p.s - 1)) *
                        (1 - std::pow(p.beta / (p.beta + t), p.s - 1))));
  // At s = 1 the bracket over s - 1 becomes ln((beta + t) / beta).
  const ParetoNbdParameters one{0.55, 10.58, 1, 11.66};
  const double limit = 0.55 * 11.66 / 10.58 * std::log((11.66 + t) / 11.66);
  CHECK(pareto_nbd_expected_transactions(one, t) == doctest::Approx(limit).epsilon(1e-12));
  const ParetoNbdParameters near{0.55, 10.58, 1 + 1e-6, 11.66};
  CHECK(pareto_nbd_expected_transactions(near, t) == doctest::Approx(limit).epsilon(1e-5));

  const ParetoNbdParameters daily = pareto_nbd_per_day(p, 7);
  CHECK(daily.alpha == doctest::Approx(7 * 10.58));
  CHECK(daily.beta == doctest::Approx(7 * 11.66));
  CHECK(daily.r == p.r);
  CHECK(daily.s == p.s);
  CHECK(pareto_nbd_conditional_expected_transactions(daily, 7 * 39, 3, 7 * 20, 7 * 35) ==
        doctest::Approx(pareto_nbd_conditional_expected_transactions(p, 39, 3, 20, 35))
            .epsilon(1e-10));
}

}  // namespace
}  // namespace cjsim
