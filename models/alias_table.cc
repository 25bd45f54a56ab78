#include "models/alias_table.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace cjsim {

int alias_table_log2_size(size_t n) {
  int k = 0;
  while ((size_t{1} << k) < n) ++k;
  return k;
}

std::vector<AliasColumn> build_alias_table(std::span<const double> weights) {
  const size_t size = size_t{1} << alias_table_log2_size(weights.size());
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);

  // Scaled probabilities: each column holds mass 1 on average.
  std::vector<double> mass(size, 0.0);
  for (size_t i = 0; i < weights.size(); ++i)
    mass[i] = weights[i] / total * static_cast<double>(size);

  std::vector<AliasColumn> columns(size);
  std::vector<uint32_t> small, large;
  for (size_t i = 0; i < size; ++i)
    (mass[i] < 1.0 ? small : large).push_back(static_cast<uint32_t>(i));

  auto threshold = [](double keep) {
    double scaled = std::floor(keep * 4294967296.0);
    return static_cast<uint32_t>(std::clamp(scaled, 0.0, 4294967295.0));
  };
  while (!small.empty() && !large.empty()) {
    uint32_t s = small.back();
    small.pop_back();
    uint32_t l = large.back();
    columns[s] = {threshold(mass[s]), s, l};
    mass[l] -= 1.0 - mass[s];
    if (mass[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  // What remains holds mass 1 up to rounding: always keep.
  for (uint32_t i : large) columns[i] = {0, i, i};
  for (uint32_t i : small) {
    // A leftover small column has mass ~1 from rounding, unless it is an item
    // of weight 0 (then nothing was left to pair it with: keep its mass
    // exact by pointing it at the heaviest item).
    if (i < weights.size() && weights[i] > 0) {
      columns[i] = {0, i, i};
    } else {
      uint32_t heaviest =
          static_cast<uint32_t>(std::max_element(weights.begin(), weights.end()) - weights.begin());
      columns[i] = {0, heaviest, heaviest};
    }
  }
  // A column whose primary is never kept (threshold 0: a padding column, or
  // an item of weight 0) names its alias twice, so that every index in the
  // table is an item: callers map both through per-item arrays.
  for (AliasColumn& c : columns) {
    if (c.threshold == 0) c.primary = c.alias;
  }
  return columns;
}

}  // namespace cjsim
