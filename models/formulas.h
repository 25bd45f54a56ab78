// The model's formulas, one function each, as docs/model.md states them.
//
// Pure functions on plain numbers; safe from any thread. Kept in one place so
// the Monte Carlo engine, the exact solver and validation cannot disagree.
#ifndef CJSIM_MODELS_FORMULAS_H_
#define CJSIM_MODELS_FORMULAS_H_

#include <algorithm>
#include <cmath>
#include <span>

namespace cjsim::formulas {

// Geometric adstock (Broadbent 1979): A(t) = spend(t) + decay * A(t-1).
inline double adstock(double spend_today, double decay, double previous) {
  return spend_today + decay * previous;
}

// Hill saturation of paid reach: max_reach * A^s / (A^s + K^s). K = 0 means
// any positive adstock saturates. docs/model.md "Exposure".
inline double hill_reach(double adstock, double max_reach, double half_saturation, double shape) {
  if (adstock <= 0) return 0;
  if (half_saturation <= 0) return max_reach;
  double ratio = std::pow(half_saturation / adstock, shape);  // (K/A)^s
  return max_reach / (1 + ratio);
}

// timing(p, c) = sum_h posting_share(c, h) * active(p, h) / max_h active(p, h);
// 1 when either list is empty. docs/model.md "Exposure".
inline double posting_timing(std::span<const double> posting_hours,
                             std::span<const double> active_hours) {
  if (posting_hours.empty() || active_hours.empty()) return 1;
  double posting_total = 0;
  for (double w : posting_hours) posting_total += w;
  double peak = *std::max_element(active_hours.begin(), active_hours.end());
  if (posting_total <= 0 || peak <= 0) return 0;
  double timing = 0;
  for (size_t h = 0; h < posting_hours.size() && h < active_hours.size(); ++h) {
    timing += posting_hours[h] / posting_total * (active_hours[h] / peak);
  }
  return std::clamp(timing, 0.0, 1.0);
}

// a(u) = clamp(act_probability(u) * responsiveness(p, stage(u)), 0, 1).
inline double effective_act_probability(double act_probability, double responsiveness) {
  return std::clamp(act_probability * responsiveness, 0.0, 1.0);
}

// Daily probability of falling back one stage on a day nothing touches the
// person, from the memory half-life: 1 - 2^(-1/half_life); 0 = never.
inline double daily_forgetting(double half_life_days) {
  if (half_life_days <= 0) return 0;
  return -std::expm1(-std::log(2.0) / half_life_days);
}

// Parameter q of the delay of an edge with mean delay d: delays are geometric
// on {0, 1, 2, ...} with P(D >= k) = q^k, so E[D] = q / (1 - q) = d.
inline double delay_continue_probability(double mean_delay_days) {
  return mean_delay_days / (1 + mean_delay_days);
}

}  // namespace cjsim::formulas

#endif  // CJSIM_MODELS_FORMULAS_H_
