#include "sim/bg_bb.h"

#include <cmath>

#include <boost/math/special_functions/digamma.hpp>

#include "sim/special_functions.h"

namespace cjsim {

namespace {

// sum_{k=1}^{m} B(gamma, d + k) / B(gamma, d): the expected number of the
// next m periods in which a customer alive now with dropout theta ~
// Beta(gamma, d) is still alive. In closed form
//   d / (gamma - 1) * [1 - Gamma(gamma + d) Gamma(1 + d + m)
//                          / (Gamma(1 + d) Gamma(gamma + d + m))],
// which tends to d (psi(1 + d + m) - psi(1 + d)) as gamma -> 1.
double expected_periods_alive(double gamma, double d, int m) {
  if (m <= 0) return 0;
  if (std::abs(gamma - 1) < 1e-7) {
    return d * (boost::math::digamma(1 + d + m) - boost::math::digamma(1 + d));
  }
  const double log_ratio =
      log_gamma(gamma + d) + log_gamma(1 + d + m) - log_gamma(1 + d) - log_gamma(gamma + d + m);
  return d / (gamma - 1) * -std::expm1(log_ratio);
}

}  // namespace

// FHS 2010:
//   L = B(alpha + x, beta + n - x) / B(alpha, beta) * B(gamma, delta + n) / B(gamma, delta)
//     + sum_{i=0}^{n - t_x - 1} B(alpha + x, beta + t_x - x + i) / B(alpha, beta)
//                             * B(gamma + 1, delta + t_x + i) / B(gamma, delta),
// alive through all n periods, or dropped out after period t_x + i. The
// sum's terms follow from the first by B(a, b + 1) = B(a, b) b / (a + b):
//   term(i + 1) / term(i) = (beta + t_x - x + i) / (alpha + beta + t_x + i)
//                         * (delta + t_x + i) / (gamma + delta + t_x + i + 1),
// both factors in (0, 1), so the running product only shrinks: the sum is
// term(0) times a sum of products in (0, 1], with a few multiplications a
// period instead of six log-gammas (bg_bb_likelihood_terms counts them).
double bg_bb_log_likelihood(const BgBbParameters& p, int x, int t_x, int n) {
  const double log_b_transact = log_beta(p.alpha, p.beta);
  const double log_b_dropout = log_beta(p.gamma, p.delta);
  const double alive = log_beta(p.alpha + x, p.beta + n - x) - log_b_transact +
                       log_beta(p.gamma, p.delta + n) - log_b_dropout;
  if (n <= t_x) return alive;
  const double log_first = log_beta(p.alpha + x, p.beta + t_x - x) - log_b_transact +
                           log_beta(p.gamma + 1, p.delta + t_x) - log_b_dropout;
  double product = 1, sum = 1;
  for (int i = 0; i + 1 < n - t_x; ++i) {
    const double k = static_cast<double>(t_x + i);
    product *=
        (p.beta + k - x) / (p.alpha + p.beta + k) * (p.delta + k) / (p.gamma + p.delta + k + 1);
    sum += product;
  }
  return log_add_exp(alive, log_first + std::log(sum));
}

// FHS 2010 eq. 7:
//   E[X(n)] = alpha / (alpha + beta) * delta / (gamma - 1)
//             * [1 - Gamma(gamma + delta) Gamma(1 + delta + n)
//                    / (Gamma(gamma + delta + n) Gamma(1 + delta))].
double bg_bb_expected_transactions(const BgBbParameters& p, int n) {
  return p.alpha / (p.alpha + p.beta) * expected_periods_alive(p.gamma, p.delta, n);
}

// FHS 2010:
//   E[X(n, n + n*) | x, t_x, n] = 1 / L * B(alpha + x + 1, beta + n - x) / B(alpha, beta)
//       * delta / (gamma - 1) * Gamma(gamma + delta) / Gamma(1 + delta)
//       * [Gamma(1 + delta + n) / Gamma(gamma + delta + n)
//          - Gamma(1 + delta + n + n*) / Gamma(gamma + delta + n + n*)],
// computed as 1 / L * B(alpha + x + 1, beta + n - x) / B(alpha, beta)
//   * B(gamma, delta + n) / B(gamma, delta) * (periods alive of n* from n).
double bg_bb_conditional_expected_transactions(const BgBbParameters& p, int n_star, int x, int t_x,
                                               int n) {
  if (n_star <= 0) return 0;
  const double log_weight = log_beta(p.alpha + x + 1, p.beta + n - x) - log_beta(p.alpha, p.beta) +
                            log_beta(p.gamma, p.delta + n) - log_beta(p.gamma, p.delta) -
                            bg_bb_log_likelihood(p, x, t_x, n);
  return std::exp(log_weight) * expected_periods_alive(p.gamma, p.delta + n, n_star);
}

}  // namespace cjsim
