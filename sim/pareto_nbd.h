// The Pareto/NBD model of repeat buying in continuous time (Schmittlein,
// Morrison & Colombo 1987, "Counting your customers: who are they and what
// will they do next?", Management Science 33(1), 1-24). While active, a
// customer buys at rate lambda ~ Gamma(shape r, rate alpha); they stay active
// for an exponential lifetime of rate mu ~ Gamma(shape s, rate beta). The
// expressions are those of Fader & Hardie (2005), "A note on deriving the
// Pareto/NBD model and related expressions", technical note, brucehardie.com.
//
// Time is in any unit; alpha and beta are in that unit, r and s are pure
// numbers. Pure functions; call from any thread.
#ifndef CJSIM_SIM_PARETO_NBD_H_
#define CJSIM_SIM_PARETO_NBD_H_

namespace cjsim {

struct ParetoNbdParameters {
  double r = 0;
  double alpha = 0;
  double s = 0;
  double beta = 0;
};

// ln L(r, alpha, s, beta | x, t_x, T) of a customer with x repeat
// transactions, the last at t_x, observed for T since the first purchase.
// REQUIRES: r, alpha, s, beta > 0; x >= 0; 0 <= t_x <= t_cal.
double pareto_nbd_log_likelihood(const ParetoNbdParameters& p, double x, double t_x, double t_cal);

// P(active at T | x, t_x, T). REQUIRES: as for pareto_nbd_log_likelihood.
double pareto_nbd_probability_active(const ParetoNbdParameters& p, double x, double t_x,
                                     double t_cal);

// E[Y(t) | x, t_x, T]: expected transactions in (T, T + t].
// REQUIRES: as for pareto_nbd_log_likelihood; t >= 0.
double pareto_nbd_conditional_expected_transactions(const ParetoNbdParameters& p, double t,
                                                    double x, double t_x, double t_cal);

// E[X(t)]: expected repeat transactions of a new customer in the first t
// time units. REQUIRES: parameters > 0; t >= 0.
double pareto_nbd_expected_transactions(const ParetoNbdParameters& p, double t);

// Time in days from time in units of `days_per_unit` days: alpha and beta
// are time scales and are multiplied by it; r and s do not change.
ParetoNbdParameters pareto_nbd_per_day(const ParetoNbdParameters& p, double days_per_unit);

// The two ways of computing the term of the likelihood for customers who
// dropped out unseen, exposed for tests: ln of
//   s * integral_{t_x}^{T} (alpha + y)^-(r + x) (beta + y)^-(s + 1) dy,
// (a) with Gauss hypergeometric functions as in Fader & Hardie (2005),
// NaN where the series does not converge, and (b) by adaptive Gauss-Kronrod
// quadrature of the integral. The likelihood uses (a) where its series
// converges fast and (b) elsewhere.
double pareto_nbd_log_dropout_term_hypergeometric(const ParetoNbdParameters& p, double x,
                                                  double t_x, double t_cal);
double pareto_nbd_log_dropout_term_quadrature(const ParetoNbdParameters& p, double x, double t_x,
                                              double t_cal);

}  // namespace cjsim

#endif  // CJSIM_SIM_PARETO_NBD_H_
