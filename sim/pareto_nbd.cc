#include "sim/pareto_nbd.h"

#include <cmath>
#include <limits>

#include <boost/math/quadrature/gauss_kronrod.hpp>

#include "sim/special_functions.h"

namespace cjsim {

// The individual likelihood (Fader & Hardie 2005, the note) is
//   L = Gamma(r + x) alpha^r beta^s / Gamma(r)
//       * [ (alpha + T)^-(r + x) (beta + T)^-s                 (active at T)
//         + s * integral_{t_x}^{T} (alpha + y)^-(r + x) (beta + y)^-(s + 1) dy ]
// (dropped out at some y in (t_x, T]). The note writes the integral as
//   s / (r + s + x) * A0 with, for alpha >= beta,
//   A0 = 2F1(r+s+x, s+1; r+s+x+1; (alpha-beta)/(alpha+t_x)) / (alpha+t_x)^(r+s+x)
//      - 2F1(r+s+x, s+1; r+s+x+1; (alpha-beta)/(alpha+T)) / (alpha+T)^(r+s+x),
// and for alpha < beta the same with alpha and beta swapped and the second
// 2F1 parameter r + x instead of s + 1, so that the argument is in [0, 1).

namespace {

// Past this argument the 2F1 series needs more than ~130 terms; the
// quadrature is then the cheaper and safer way.
constexpr double kSeriesLimit = 0.75;

struct HypergeometricForm {
  double scale;    // alpha or beta, whichever is larger
  double second;   // the second 2F1 parameter
  double z_first;  // the 2F1 argument at t_x, the larger of the two
};

HypergeometricForm hypergeometric_form(const ParetoNbdParameters& p, double x, double t_x) {
  const bool alpha_larger = p.alpha >= p.beta;
  const double scale = alpha_larger ? p.alpha : p.beta;
  const double difference = std::abs(p.alpha - p.beta);
  return {scale, alpha_larger ? p.s + 1 : p.r + x, difference / (scale + t_x)};
}

double log_active_term(const ParetoNbdParameters& p, double x, double t_cal) {
  return -(p.r + x) * std::log(p.alpha + t_cal) - p.s * std::log(p.beta + t_cal);
}

double log_dropout_term(const ParetoNbdParameters& p, double x, double t_x, double t_cal) {
  if (t_x >= t_cal) return -std::numeric_limits<double>::infinity();
  if (hypergeometric_form(p, x, t_x).z_first <= kSeriesLimit) {
    return pareto_nbd_log_dropout_term_hypergeometric(p, x, t_x, t_cal);
  }
  return pareto_nbd_log_dropout_term_quadrature(p, x, t_x, t_cal);
}

}  // namespace

double pareto_nbd_log_dropout_term_hypergeometric(const ParetoNbdParameters& p, double x,
                                                  double t_x, double t_cal) {
  if (t_x >= t_cal) return -std::numeric_limits<double>::infinity();
  const HypergeometricForm form = hypergeometric_form(p, x, t_x);
  const double difference = std::abs(p.alpha - p.beta);
  const double a = p.r + p.s + x;
  const double f_first = hypergeometric_2f1(a, form.second, a + 1, form.z_first);
  const double f_last =
      hypergeometric_2f1(a, form.second, a + 1, difference / (form.scale + t_cal));
  // A0 = f_first / (scale + t_x)^a - f_last / (scale + T)^a, as
  // ln(f_first / (scale + t_x)^a) + ln(1 - the ratio of the two terms).
  const double log_first = std::log(f_first) - a * std::log(form.scale + t_x);
  const double log_ratio =
      std::log(f_last / f_first) - a * std::log((form.scale + t_cal) / (form.scale + t_x));
  return std::log(p.s / a) + log_first + std::log1p(-std::exp(log_ratio));
}

double pareto_nbd_log_dropout_term_quadrature(const ParetoNbdParameters& p, double x, double t_x,
                                              double t_cal) {
  if (t_x >= t_cal) return -std::numeric_limits<double>::infinity();
  // With m the smaller of alpha and beta and M the larger, substitute
  // y = (m + t_x) e^u - m: the integrand becomes
  //   (m + t_x)^(1 - k_m) e^((1 - k_m) u) (M + y)^-k_M,
  // where k_m and k_M are the exponents of (m + y) and (M + y). In u it
  // decays at most like e^-(r + s + x) u, without the spike at t_x that a
  // tiny alpha or beta gives in y, so a modest adaptive quadrature suffices.
  const bool alpha_smaller = p.alpha <= p.beta;
  const double small = alpha_smaller ? p.alpha : p.beta;
  const double large = alpha_smaller ? p.beta : p.alpha;
  const double k_small = alpha_smaller ? p.r + x : p.s + 1;
  const double k_large = alpha_smaller ? p.s + 1 : p.r + x;
  const double base = small + t_x;
  auto relative = [&](double u) {
    return std::exp((1 - k_small) * u -
                    k_large * std::log((large - small + base * std::exp(u)) / (large + t_x)));
  };
  const double integral = boost::math::quadrature::gauss_kronrod<double, 31>::integrate(
      relative, 0.0, std::log((small + t_cal) / base), 15, 1e-13);
  return std::log(p.s) + (1 - k_small) * std::log(base) - k_large * std::log(large + t_x) +
         std::log(integral);
}

double pareto_nbd_log_likelihood(const ParetoNbdParameters& p, double x, double t_x, double t_cal) {
  const double common =
      log_gamma(p.r + x) - log_gamma(p.r) + p.r * std::log(p.alpha) + p.s * std::log(p.beta);
  return common + log_add_exp(log_active_term(p, x, t_cal), log_dropout_term(p, x, t_x, t_cal));
}

double pareto_nbd_probability_active(const ParetoNbdParameters& p, double x, double t_x,
                                     double t_cal) {
  const double active = log_active_term(p, x, t_cal);
  return std::exp(active - log_add_exp(active, log_dropout_term(p, x, t_x, t_cal)));
}

// E[Y(t) | x, t_x, T] = (r + x) (beta + T) / ((alpha + T) (s - 1))
//                       * [1 - ((beta + T) / (beta + T + t))^(s - 1)] * P(active at T)
// (Fader & Hardie 2005, the note; Schmittlein et al. 1987). The bracket over
// s - 1 tends to -ln((beta + T) / (beta + T + t)) as s -> 1, and is computed
// as such near it.
double pareto_nbd_conditional_expected_transactions(const ParetoNbdParameters& p, double t,
                                                    double x, double t_x, double t_cal) {
  const double log_q = std::log((p.beta + t_cal) / (p.beta + t_cal + t));
  const double shape = p.s - 1;
  const double bracket = std::abs(shape) < 1e-10 ? -log_q : -std::expm1(shape * log_q) / shape;
  return (p.r + x) * (p.beta + t_cal) / (p.alpha + t_cal) * bracket *
         pareto_nbd_probability_active(p, x, t_x, t_cal);
}

// E[X(t)] = r beta / (alpha (s - 1)) [1 - (beta / (beta + t))^(s - 1)]: the
// conditional expectation for a customer just acquired (x = t_x = T = 0).
double pareto_nbd_expected_transactions(const ParetoNbdParameters& p, double t) {
  return pareto_nbd_conditional_expected_transactions(p, t, 0, 0, 0);
}

ParetoNbdParameters pareto_nbd_per_day(const ParetoNbdParameters& p, double days_per_unit) {
  return {p.r, p.alpha * days_per_unit, p.s, p.beta * days_per_unit};
}

}  // namespace cjsim
