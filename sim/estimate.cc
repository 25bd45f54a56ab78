#include "sim/estimate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include "models/check.h"

namespace cjsim {

double student_t_critical(double confidence, double dof) {
  boost::math::students_t distribution(dof);
  return boost::math::quantile(distribution, 0.5 + confidence / 2);
}

namespace {

struct MeanSpread {
  double mean = 0;
  double squares = 0;    // sum of squared deviations from the mean
  double std_error = 0;  // of the mean: sqrt(squares / (n - 1) / n)
};

// Two passes in index order: deterministic, and accurate for small spreads.
// REQUIRES: values.size() >= 2.
MeanSpread mean_spread(std::span<const double> values) {
  const double n = static_cast<double>(values.size());
  MeanSpread m;
  for (double v : values) m.mean += v;
  m.mean /= n;
  for (double v : values) m.squares += (v - m.mean) * (v - m.mean);
  m.std_error = std::sqrt(m.squares / (n - 1) / n);
  return m;
}

}  // namespace

Estimate estimate_over_draws(double point, std::span<const double> deviations, int draws,
                             double confidence) {
  const size_t replications = deviations.size();
  CJSIM_CHECK(draws >= 2 && replications >= 2 * static_cast<size_t>(draws),
              "an estimate over parameter draws needs two replications per draw");
  const int64_t count = static_cast<int64_t>(replications);
  if (!std::isfinite(point)) return {point, kNaN, kNaN, kNaN, count};
  const size_t d_count = static_cast<size_t>(draws);
  std::vector<double> sums(d_count, 0), sizes(d_count, 0);
  for (size_t r = 0; r < replications; ++r) {
    sums[r % d_count] += deviations[r];
    sizes[r % d_count] += 1;
  }
  double within = 0;  // squared deviations from each draw's own mean
  for (size_t r = 0; r < replications; ++r) {
    const double own = deviations[r] - sums[r % d_count] / sizes[r % d_count];
    within += own * own;
  }
  double between = 0;
  for (double s : sums) between += s * s;
  const double n = static_cast<double>(replications), d = static_cast<double>(draws);
  const double total = d / (d - 1) * between / (n * n);
  const double simulation = std::min(total, within / (n - d) / n);
  Estimate e;
  e.mean = point;
  e.std_error = std::sqrt(total);
  const double half = total == 0 ? 0 : student_t_critical(confidence, d - 1) * e.std_error;
  e.ci_low = point - half;
  e.ci_high = point + half;
  e.n = count;
  e.no_variation = total == 0;
  e.from_simulation = std::sqrt(simulation);
  e.from_parameters = std::sqrt(total - simulation);
  e.parameter_draws = draws;
  return e;
}

Estimate estimate_mean(std::span<const double> values, double confidence, int draws) {
  CJSIM_CHECK(values.size() >= 2, "an interval needs at least two replications");
  const double n = static_cast<double>(values.size());
  const MeanSpread m = mean_spread(values);
  if (draws >= 2) {
    std::vector<double> deviations(values.begin(), values.end());
    for (double& v : deviations) v -= m.mean;
    Estimate e = estimate_over_draws(m.mean, deviations, draws, confidence);
    e.no_variation = m.squares == 0;
    return e;
  }
  const double half = student_t_critical(confidence, n - 1) * m.std_error;
  Estimate e{m.mean, m.std_error, m.mean - half, m.mean + half, static_cast<int64_t>(n)};
  e.no_variation = m.squares == 0;
  return e;
}

Estimate linearized_estimate(double point, std::span<const double> influence, double confidence,
                             int draws) {
  CJSIM_CHECK(influence.size() >= 2, "an interval needs at least two replications");
  if (draws >= 2) return estimate_over_draws(point, influence, draws, confidence);
  const double n = static_cast<double>(influence.size());
  const int64_t count = static_cast<int64_t>(influence.size());
  if (!std::isfinite(point)) {
    return {point, kNaN, kNaN, kNaN, count};
  }
  const double std_error = mean_spread(influence).std_error;
  const double half = std_error == 0 ? 0 : student_t_critical(confidence, n - 1) * std_error;
  Estimate e{point, std_error, point - half, point + half, count};
  e.no_variation = std_error == 0;
  return e;
}

Estimate clip_to_range(Estimate e, ValueRange range) {
  // NaN bounds stay NaN (every comparison with them is false).
  auto clip = [&](double& bound) {
    if (bound < range.lowest) bound = range.lowest;
    if (bound > range.highest) bound = range.highest;
  };
  clip(e.ci_low);
  clip(e.ci_high);
  return e;
}

Estimate exact_estimate(double value, int64_t n) { return {value, 0, value, value, n}; }

Estimate wilson_estimate(int64_t successes, int64_t trials, double confidence) {
  CJSIM_CHECK(trials > 0, "a share of no trials");
  const double n = static_cast<double>(trials);
  const double p = static_cast<double>(successes) / n;
  const double z = boost::math::quantile(boost::math::normal(), 0.5 + confidence / 2);
  const double z2n = z * z / n;
  const double centre = (p + z2n / 2) / (1 + z2n);
  const double half = z / (1 + z2n) * std::sqrt(p * (1 - p) / n + z2n / (4 * n));
  Estimate e{p, std::sqrt(p * (1 - p) / n), std::max(0.0, centre - half),
             std::min(1.0, centre + half), trials};
  return e;
}

Estimate ratio_of_fixed(double numerator, const Estimate& x) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  auto divide = [&](double d) {
    if (numerator == 0) return 0.0;
    return d > 0 ? numerator / d : kInf;
  };
  Estimate r;
  r.mean = divide(x.mean);
  r.std_error = x.mean > 0 ? std::abs(numerator) * x.std_error / (x.mean * x.mean) : kInf;
  if (numerator == 0) r.std_error = 0;
  r.ci_low = divide(x.ci_high);
  r.ci_high = divide(x.ci_low);
  r.n = x.n;
  // The parts scale as the whole (the delta method's factor).
  const double factor = x.std_error > 0 ? r.std_error / x.std_error : 0;
  r.from_parameters = x.from_parameters * factor;
  r.from_simulation = x.from_simulation * factor;
  r.parameter_draws = x.parameter_draws;
  return r;
}

double no_event_upper_bound(double trials, double confidence) {
  CJSIM_CHECK(trials > 0 && confidence > 0 && confidence < 1,
              "a no-event bound needs trials and a confidence in (0, 1)");
  return -std::log1p(-confidence) / trials;
}

std::string note_number(double v) {
  if (!std::isfinite(v)) return v > 0 ? "infinity" : v < 0 ? "-infinity" : "undefined";
  char text[64];
  if (std::abs(v) < 100) {
    std::snprintf(text, sizeof text, "%.3g", v);
    return text;
  }
  std::snprintf(text, sizeof text, "%.0f", std::abs(v));
  std::string digits = text, out;
  for (size_t k = 0; k < digits.size(); ++k) {
    if (k > 0 && (digits.size() - k) % 3 == 0) out += ',';
    out += digits[k];
  }
  return (v < 0 ? "-" : "") + out;
}

}  // namespace cjsim
