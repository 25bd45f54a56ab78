#include "sim/budget_allocation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "models/check.h"

namespace cjsim {

double ResponsePoints::at(double budget) const {
  CJSIM_CHECK(!budgets.empty() && budgets.size() == values.size(), "a curve needs points");
  if (budget <= budgets.front()) return values.front();
  if (budget >= budgets.back()) return values.back();
  const size_t k = static_cast<size_t>(std::upper_bound(budgets.begin(), budgets.end(), budget) -
                                       budgets.begin());
  const double span = budgets[k] - budgets[k - 1];
  const double t = span > 0 ? (budget - budgets[k - 1]) / span : 1;
  return values[k - 1] + t * (values[k] - values[k - 1]);
}

std::vector<double> best_separable_split(const std::vector<ResponsePoints>& curves,
                                         const std::vector<double>& lower,
                                         const std::vector<double>& upper, double total,
                                         bool spend_all, int steps) {
  const size_t n = curves.size();
  CJSIM_CHECK(lower.size() == n && upper.size() == n && steps >= 1, "one bound per curve");
  const double above = total - std::accumulate(lower.begin(), lower.end(), 0.0);
  CJSIM_CHECK(above >= -1e-9 * (1 + total), "the lower bounds exceed the total");
  std::vector<double> out = lower;
  if (n == 0 || above <= 0) return out;
  const double unit = above / steps;
  const size_t units = static_cast<size_t>(steps);
  constexpr double kNone = -std::numeric_limits<double>::infinity();
  // best[u]: the best sum over the channels so far using exactly u units;
  // choice[i][u]: the units channel i takes there.
  std::vector<double> best(units + 1, kNone), next(units + 1);
  best[0] = 0;
  std::vector<std::vector<size_t>> choice(n, std::vector<size_t>(units + 1, 0));
  for (size_t i = 0; i < n; ++i) {
    const size_t most = std::min(
        units, static_cast<size_t>(std::floor((upper[i] - lower[i]) / unit * (1 + 1e-12))));
    std::vector<double> gain(most + 1);
    for (size_t k = 0; k <= most; ++k) {
      gain[k] = curves[i].at(lower[i] + static_cast<double>(k) * unit);
    }
    std::fill(next.begin(), next.end(), kNone);
    for (size_t u = 0; u <= units; ++u) {
      for (size_t k = 0; k <= std::min(u, most); ++k) {
        if (best[u - k] == kNone) continue;
        const double v = best[u - k] + gain[k];
        if (v > next[u]) {
          next[u] = v;
          choice[i][u] = k;
        }
      }
    }
    best.swap(next);
  }
  // The units spent: all of them when spending all (or the most that fit),
  // else whichever count does best.
  size_t spent = 0;
  if (spend_all) {
    spent = units;
    while (spent > 0 && best[spent] == kNone) --spent;
  } else {
    for (size_t u = 0; u <= units; ++u) {
      if (best[u] > best[spent]) spent = u;
    }
  }
  for (size_t i = n; i-- > 0;) {
    const size_t k = choice[i][spent];
    out[i] = std::min(upper[i], lower[i] + static_cast<double>(k) * unit);
    spent -= k;
  }
  return out;
}

}  // namespace cjsim
