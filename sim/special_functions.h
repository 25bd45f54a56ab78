// Special functions of the retention models: the Gauss hypergeometric
// function 2F1, which the BG/NBD and Pareto/NBD expressions use (Fader,
// Hardie & Lee 2005), and log-space helpers for likelihoods that would
// overflow or underflow as plain products. Pure functions; call from any
// thread.
#ifndef CJSIM_SIM_SPECIAL_FUNCTIONS_H_
#define CJSIM_SIM_SPECIAL_FUNCTIONS_H_

namespace cjsim {

// Terms the series may use before giving up.
inline constexpr int kMaxHypergeometricTerms = 1'000'000;

// 2F1(a, b; c; z) by its power series sum_k (a)_k (b)_k / ((c)_k k!) z^k
// (Abramowitz & Stegun 1964, 15.1.1), summed until the remaining tail is
// below the double precision of the sum. The series needs about
// 37 / -ln(z) terms, so it is fast for z up to 0.9 and slow close to 1.
// Returns NaN when it has not converged within kMaxHypergeometricTerms.
// REQUIRES: 0 <= z < 1; c is not 0 or a negative integer.
double hypergeometric_2f1(double a, double b, double c, double z);

// ln |Gamma(x)|, without touching the global `signgam` that std::lgamma
// writes (so calls from several threads do not race).
double log_gamma(double x);

// ln B(a, b) = ln Gamma(a) + ln Gamma(b) - ln Gamma(a + b). REQUIRES: a, b > 0.
double log_beta(double a, double b);

// ln(e^u + e^v) without overflow; -inf + -inf gives -inf.
double log_add_exp(double u, double v);

}  // namespace cjsim

#endif  // CJSIM_SIM_SPECIAL_FUNCTIONS_H_
