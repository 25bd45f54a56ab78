#include "sim/bg_nbd.h"

#include <cmath>

#include "sim/special_functions.h"

namespace cjsim {

// FHL 2005 eq. 6:
//   L = B(a, b + x) / B(a, b) * Gamma(r + x) alpha^r / (Gamma(r) (alpha + T)^(r + x))
//     + [x > 0] B(a + 1, b + x - 1) / B(a, b)
//               * Gamma(r + x) alpha^r / (Gamma(r) (alpha + t_x)^(r + x)),
// summed in log space.
double bg_nbd_log_likelihood(const BgNbdParameters& p, double x, double t_x, double t_cal) {
  const double common = log_gamma(p.r + x) - log_gamma(p.r) + p.r * std::log(p.alpha);
  const double stayed =
      log_beta(p.a, p.b + x) - log_beta(p.a, p.b) - (p.r + x) * std::log(p.alpha + t_cal);
  if (x <= 0) return common + stayed;
  const double dropped =
      log_beta(p.a + 1, p.b + x - 1) - log_beta(p.a, p.b) - (p.r + x) * std::log(p.alpha + t_x);
  return common + log_add_exp(stayed, dropped);
}

// FHL 2005 eq. 9,
//   E[X(t)] = (a + b - 1) / (a - 1)
//             * [1 - (alpha / (alpha + t))^r 2F1(r, b; a + b - 1; t / (alpha + t))],
// is eq. 10 for a customer just acquired: x = t_x = T = 0.
double bg_nbd_expected_transactions(const BgNbdParameters& p, double t) {
  return bg_nbd_conditional_expected_transactions(p, t, 0, 0, 0);
}

// 1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x)).
double bg_nbd_probability_active(const BgNbdParameters& p, double x, double t_x, double t_cal) {
  if (x <= 0) return 1;
  const double log_odds =
      std::log(p.a / (p.b + x - 1)) + (p.r + x) * std::log((p.alpha + t_cal) / (p.alpha + t_x));
  return 1 / (1 + std::exp(log_odds));
}

// FHL 2005 eq. 10:
//   E[Y(t) | x, t_x, T] = (a + b + x - 1) / (a - 1)
//       * [1 - ((alpha + T) / (alpha + T + t))^(r + x)
//              2F1(r + x, b + x; a + b + x - 1; t / (alpha + T + t))]
//       * P(active at T | x, t_x, T).
double bg_nbd_conditional_expected_transactions(const BgNbdParameters& p, double t, double x,
                                                double t_x, double t_cal) {
  const double z = t / (p.alpha + t_cal + t);
  const double hyper = hypergeometric_2f1(p.r + x, p.b + x, p.a + p.b + x - 1, z);
  const double active_mean =
      (p.a + p.b + x - 1) / (p.a - 1) * (1 - std::pow(1 - z, p.r + x) * hyper);
  return active_mean * bg_nbd_probability_active(p, x, t_x, t_cal);
}

BgNbdParameters bg_nbd_per_day(const BgNbdParameters& p, double days_per_unit) {
  return {p.r, p.alpha * days_per_unit, p.a, p.b};
}

}  // namespace cjsim
