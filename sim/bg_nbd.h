// The BG/NBD model of repeat buying in continuous time (Fader, Hardie & Lee
// 2005, "'Counting your customers' the easy way: an alternative to the
// Pareto/NBD model", Marketing Science 24(2), 275-284). While active, a
// customer buys at rate lambda ~ Gamma(shape r, rate alpha); after each
// purchase they become inactive for good with probability p ~ Beta(a, b).
// Counts are of repeat transactions: the first purchase starts the clock.
//
// Time is in any unit (days, weeks); alpha is in that unit (it scales like
// time: the mean rate is r / alpha), r, a and b are pure numbers.
// Pure functions; call from any thread.
#ifndef CJSIM_SIM_BG_NBD_H_
#define CJSIM_SIM_BG_NBD_H_

namespace cjsim {

struct BgNbdParameters {
  double r = 0;
  double alpha = 0;
  double a = 0;
  double b = 0;
};

// ln L(r, alpha, a, b | x, t_x, T): the log-likelihood of a customer with x
// repeat transactions, the last at t_x, observed for T since the first
// purchase (FHL 2005, eq. 6).
// REQUIRES: r, alpha, a, b > 0; x >= 0; 0 <= t_x <= t_cal; t_x > 0 if x > 0.
double bg_nbd_log_likelihood(const BgNbdParameters& p, double x, double t_x, double t_cal);

// E[X(t)]: expected repeat transactions of a newly acquired customer in the
// first t time units (FHL 2005, eq. 9).
// REQUIRES: parameters > 0; a != 1 and a + b != 1 (the expression divides
// by a - 1 and uses 2F1(.; a + b - 1; .)); t >= 0.
double bg_nbd_expected_transactions(const BgNbdParameters& p, double t);

// P(active at T | x, t_x, T): the chance that the customer has not dropped
// out by the end of the observation (FHL 2005, the denominator of eq. 10).
// REQUIRES: as for bg_nbd_log_likelihood.
double bg_nbd_probability_active(const BgNbdParameters& p, double x, double t_x, double t_cal);

// E[Y(t) | x, t_x, T]: expected transactions in (T, T + t] of a customer
// with that history (FHL 2005, eq. 10).
// REQUIRES: as for bg_nbd_log_likelihood; a != 1; t >= 0.
double bg_nbd_conditional_expected_transactions(const BgNbdParameters& p, double t, double x,
                                                double t_x, double t_cal);

// The same model with time in days, from parameters fitted with time in
// units of `days_per_unit` days: alpha is a time scale, so alpha_day =
// days_per_unit * alpha_unit; r, a and b do not change.
BgNbdParameters bg_nbd_per_day(const BgNbdParameters& p, double days_per_unit);

}  // namespace cjsim

#endif  // CJSIM_SIM_BG_NBD_H_
