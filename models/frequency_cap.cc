#include "models/frequency_cap.h"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include <boost/math/tools/roots.hpp>

namespace cjsim {

double capped_delivery(std::span<const double> q, int cap) {
  // taken[j]: P(j exposures taken so far), j < cap; the rest is at the cap.
  std::vector<double> taken(static_cast<size_t>(cap), 0.0);
  taken[0] = 1.0;
  double delivered = 0;
  for (double offer : q) {
    double under = 0;
    for (double x : taken) under += x;
    delivered += under * offer;
    for (size_t j = taken.size(); j-- > 0;) {
      taken[j] = taken[j] * (1 - offer) + (j > 0 ? taken[j - 1] * offer : 0.0);
    }
  }
  return delivered;
}

double respread_capped(std::span<const double> p, std::span<const double> ceiling, int cap,
                       std::span<double> q) {
  const double bought = std::accumulate(p.begin(), p.end(), 0.0);
  std::copy(p.begin(), p.end(), q.begin());
  // One exposure a day at most: a cap of a window's length or more never
  // binds.
  if (bought <= 0 || cap >= static_cast<int>(p.size())) return bought;
  auto offer = [&](double boost) {
    for (size_t t = 0; t < p.size(); ++t) q[t] = std::min(ceiling[t], boost * p[t]);
  };
  // Past the largest ceiling / p every offer is at its ceiling.
  double most = 1;
  for (size_t t = 0; t < p.size(); ++t) {
    if (p[t] > 0) most = std::max(most, ceiling[t] / p[t]);
  }
  offer(most);
  const double at_most = capped_delivery(q, cap);
  if (at_most <= bought) return at_most;  // the ceiling binds: under-delivery
  offer(1.0);
  const double unboosted = capped_delivery(q, cap);
  if (unboosted >= bought) return unboosted;  // the cap is never reached
  auto shortfall = [&](double boost) {
    offer(boost);
    return capped_delivery(q, cap) - bought;
  };
  // Delivery grows with the boost: TOMS 748 on [1, most], to a relative
  // 2^-40 of the boost.
  std::uintmax_t iterations = 100;
  const std::pair<double, double> bracket = boost::math::tools::toms748_solve(
      shortfall, 1.0, most, unboosted - bought, at_most - bought,
      boost::math::tools::eps_tolerance<double>(40), iterations);
  offer(bracket.second);  // the end that delivers at least what was bought
  return capped_delivery(q, cap);
}

}  // namespace cjsim
