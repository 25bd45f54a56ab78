#include "sim/special_functions.h"

#include <math.h>  // lgamma_r (POSIX), not in <cmath>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "models/check.h"

namespace cjsim {

double hypergeometric_2f1(double a, double b, double c, double z) {
  CJSIM_CHECK(z >= 0 && z < 1, "2F1 series needs 0 <= z < 1");
  constexpr double kEpsilon = std::numeric_limits<double>::epsilon() / 2;
  double term = 1, sum = 1;
  for (int k = 0; k < kMaxHypergeometricTerms; ++k) {
    const double ratio = (a + k) * (b + k) / ((c + k) * (k + 1)) * z;
    term *= ratio;
    sum += term;
    if (term == 0) return sum;
    // The ratio of consecutive terms tends to z. Once it is below 1 and the
    // ratios no longer grow beyond q = max(ratio, z), the tail after this
    // term is at most |term| q / (1 - q).
    const double q = std::max(std::abs(ratio), z);
    const double next_ratio = std::abs((a + k + 1) * (b + k + 1) / ((c + k + 1) * (k + 2)) * z);
    if (q < 1 && next_ratio <= q && std::abs(term) * q / (1 - q) <= kEpsilon * std::abs(sum)) {
      return sum;
    }
  }
  return std::numeric_limits<double>::quiet_NaN();
}

double log_gamma(double x) {
  int sign = 0;
  return lgamma_r(x, &sign);
}

double log_beta(double a, double b) { return log_gamma(a) + log_gamma(b) - log_gamma(a + b); }

double log_add_exp(double u, double v) {
  if (u < v) std::swap(u, v);
  if (v == -std::numeric_limits<double>::infinity()) return u;
  return u + std::log1p(std::exp(v - u));
}

}  // namespace cjsim
