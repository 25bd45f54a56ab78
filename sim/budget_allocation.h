// The best split of a budget across channels whose returns add up: each
// channel's return a curve through simulated points, the split found by
// dynamic programming over a grid of the budget, so the optimum is global
// on that grid whatever the curves' shapes (S-shaped, flat, falling).
// The optimizer uses it on a fitted response surface (docs/model.md
// "Channel-mix planning") to find where to start its local search.
// Pure functions; call from any thread.
#ifndef CJSIM_SIM_BUDGET_ALLOCATION_H_
#define CJSIM_SIM_BUDGET_ALLOCATION_H_

#include <vector>

namespace cjsim {

// A channel's return against its budget: linear between the points, flat
// beyond the first and the last.
struct ResponsePoints {
  std::vector<double> budgets;  // increasing
  std::vector<double> values;   // one per budget

  // REQUIRES: at least one point.
  double at(double budget) const;
};

// The budgets x_i in [lower_i, upper_i] that maximise sum_i curve_i(x_i)
// subject to sum_i x_i = total (`spend_all`) or <= total: the global
// optimum over budgets lower_i + k_i (total - sum lower) / steps. When the
// upper bounds leave the grid short of the total, the most that fits.
// REQUIRES: equal sizes; lower <= upper; sum of lower <= total; steps >= 1.
std::vector<double> best_separable_split(const std::vector<ResponsePoints>& curves,
                                         const std::vector<double>& lower,
                                         const std::vector<double>& upper, double total,
                                         bool spend_all, int steps);

}  // namespace cjsim

#endif  // CJSIM_SIM_BUDGET_ALLOCATION_H_
