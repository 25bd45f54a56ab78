// Estimates across replications: mean, standard error and a Student-t
// confidence interval (the replications are independent and identically
// distributed; the interval is exact for normal replication means and
// close for the sums of many agents that cjsim's KPIs are).
// Pure functions; call from any thread.
#ifndef CJSIM_SIM_ESTIMATE_H_
#define CJSIM_SIM_ESTIMATE_H_

#include <cstdint>
#include <limits>
#include <span>
#include <string>

namespace cjsim {

// Not a number: a quantity a result does not define.
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Estimate {
  double mean = 0;
  double std_error = 0;
  double ci_low = 0;
  double ci_high = 0;
  int64_t n = 0;  // replications; 0 for an exact value
  // A random estimate (n > 0) whose replications all gave the same value:
  // its zero-width interval is no evidence that it is exact.
  bool no_variation = false;
  // With no_variation, for a KPI counting its own events, the one-sided
  // rule-of-three bound that stands in for the interval (an upper bound when
  // no event happened, a lower one for a share every person had:
  // no_variation_bound, sim/kpi_evidence.h); NaN where there is none.
  double one_sided_upper = std::numeric_limits<double>::quiet_NaN();
  double one_sided_lower = std::numeric_limits<double>::quiet_NaN();
  // With parameter draws (estimate_over_draws): the parts of std_error from
  // the parameters and from the simulation, in squares adding to
  // std_error^2, and the number of draws; NaN and 0 otherwise.
  double from_parameters = std::numeric_limits<double>::quiet_NaN();
  double from_simulation = std::numeric_limits<double>::quiet_NaN();
  int parameter_draws = 0;

  double half_width() const { return (ci_high - ci_low) / 2; }
};

// The values a quantity can take: [0, inf) for counts, money and ratios of
// them, [0, 1] for shares.
struct ValueRange {
  double lowest = -std::numeric_limits<double>::infinity();
  double highest = std::numeric_limits<double>::infinity();
};
inline constexpr ValueRange kAnyValue{};
inline constexpr ValueRange kNonNegative{0, std::numeric_limits<double>::infinity()};
inline constexpr ValueRange kShareRange{0, 1};

// `e` with its interval clipped to `range`, the values the quantity can
// take; mean and standard error unchanged. With few events a Student-t
// interval on a count can reach below 0 (or a share's above 1); clipping
// never lowers its coverage, since the true value lies inside the range
// (docs/model.md "Statistics"). Not for differences, which may be negative.
Estimate clip_to_range(Estimate e, ValueRange range);

// REQUIRES: values.size() >= 2, 0 < confidence < 1. No variation when the
// values are all equal. With `draws` >= 2, value r came from parameter
// draw r mod draws and the estimate is estimate_over_draws's.
Estimate estimate_mean(std::span<const double> values, double confidence, int draws = 0);

// The estimate `point` of a quantity whose per-replication deviations
// (centred values, or linearised influences) are `deviations`, when
// replication r ran with parameter draw r mod `draws`: the law of total
// variance by a one-way random-effects analysis over the draws
// (docs/model.md "Parameter uncertainty"). The variance of the grand mean
// is the between-draw one, estimated from the draws' sums of deviations,
// V = D / (D - 1) sum_d S_d^2 / R^2 (with equal draws, the squared
// standard error of the mean of the D draw means); the interval is
// Student-t on D - 1 degrees of freedom. The simulation's part is the
// pooled within-draw mean square over R, capped at V; the parameters' the
// rest. REQUIRES: draws >= 2, deviations.size() >= 2 draws.
Estimate estimate_over_draws(double point, std::span<const double> deviations, int draws,
                             double confidence);

// An exact (or deterministic) value: no error, interval collapsed.
Estimate exact_estimate(double value, int64_t n = 0);

// Two-sided Student-t critical value for `confidence` with `dof` degrees of
// freedom, e.g. 2.131 for 0.95 and 15.
double student_t_critical(double confidence, double dof);

// An estimate `point` whose standard error is that of the mean of
// `influence` (linearised, centred per-replication contributions: the delta
// method), with a Student-t interval on n - 1 degrees of freedom; NaN error
// when `point` is not finite; no variation when the error is 0.
// REQUIRES: influence.size() >= 2.
// With `draws` >= 2, as estimate_over_draws.
Estimate linearized_estimate(double point, std::span<const double> influence, double confidence,
                             int draws = 0);

// cost / x for an estimate x of a positive quantity and a fixed cost: the
// interval is the image of x's interval (the map is monotone), the standard
// error the delta-method one. Infinity where x's bound is <= 0.
Estimate ratio_of_fixed(double numerator, const Estimate& x);

// The one-sided upper confidence bound on the rate of an event (events per
// trial) when none happened in `trials` independent trials: the rate at
// which seeing none has probability 1 - confidence under a Poisson count,
// -ln(1 - confidence) / trials. At 95% this is 2.996 / trials, the "rule of
// three" (Hanley and Lippman-Hand 1983, JAMA 249(13):1743); it is at least
// the exact binomial bound 1 - (1 - confidence)^(1 / trials), so it also
// bounds a share. REQUIRES: trials > 0, 0 < confidence < 1.
double no_event_upper_bound(double trials, double confidence);

// The share successes / trials as an Estimate with the Wilson score
// interval at `confidence` (Wilson 1927; E. B. Wilson, JASA 22(158):209):
// its coverage stays near the nominal level for shares near 0 or 1 and few
// trials, where the normal interval collapses. std_error is that of the
// share, sqrt(p (1 - p) / n); n is `trials`. REQUIRES: trials > 0.
Estimate wilson_estimate(int64_t successes, int64_t trials, double confidence);

// A number in a note or warning: whole, with thousands separators, from 100
// up; three significant digits below.
std::string note_number(double v);

}  // namespace cjsim

#endif  // CJSIM_SIM_ESTIMATE_H_
