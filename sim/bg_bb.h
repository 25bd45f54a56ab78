// The BG/BB model of repeat transactions in discrete time (Fader, Hardie &
// Shang 2010, "Customer-base analysis in a discrete-time noncontractual
// setting", Marketing Science 29(6), 1086-1108): each period an active
// customer transacts with probability p ~ Beta(alpha, beta), and at the
// start of each later period becomes inactive for good with probability
// theta ~ Beta(gamma, delta). Periods are transaction opportunities (a
// year of donations, a week of visits); all four parameters are pure numbers.
// Pure functions; call from any thread.
#ifndef CJSIM_SIM_BG_BB_H_
#define CJSIM_SIM_BG_BB_H_

namespace cjsim {

struct BgBbParameters {
  double alpha = 0;
  double beta = 0;
  double gamma = 0;
  double delta = 0;
};

// ln L(alpha, beta, gamma, delta | x, t_x, n) of a customer with x
// transactions in the n periods after the first, the last in period t_x.
// REQUIRES: parameters > 0; 0 <= x <= t_x <= n; t_x = 0 exactly when x = 0.
double bg_bb_log_likelihood(const BgBbParameters& p, int x, int t_x, int n);

// E[X(n)]: expected transactions of a new customer in the n periods after
// the first (FHS 2010, eq. 7). REQUIRES: parameters > 0; n >= 0.
double bg_bb_expected_transactions(const BgBbParameters& p, int n);

// E[X(n, n + n*) | x, t_x, n]: expected transactions in the n* periods after
// the n of the calibration, of a customer with that history (FHS 2010).
// REQUIRES: as for bg_bb_log_likelihood; n_star >= 0.
double bg_bb_conditional_expected_transactions(const BgBbParameters& p, int n_star, int x, int t_x,
                                               int n);

}  // namespace cjsim

#endif  // CJSIM_SIM_BG_BB_H_
