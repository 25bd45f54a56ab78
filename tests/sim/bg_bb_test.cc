// BG/BB expressions (Fader, Hardie & Shang 2010): a likelihood worked by
// hand, the closed forms against sums and against mpmath's integration over
// p and theta, and gamma = 1.

#include <array>
#include <cmath>

#include <doctest/doctest.h>

#include "sim/bg_bb.h"
#include "sim/special_functions.h"

namespace cjsim {
namespace {

TEST_CASE("bg/bb: a likelihood worked by hand") {
  // All parameters 1, one period, no transaction: dropped out before it
  // (E[theta] = 1/2) or alive and did not buy (E[(1-theta)(1-p)] = 1/4).
  const BgBbParameters ones{1, 1, 1, 1};
  CHECK(std::exp(bg_bb_log_likelihood(ones, 0, 0, 1)) == doctest::Approx(0.75));
  // A transaction in the one period: alive and bought, E[(1-theta) p] = 1/4.
  CHECK(std::exp(bg_bb_log_likelihood(ones, 1, 1, 1)) == doctest::Approx(0.25));
}

TEST_CASE("bg/bb: the likelihoods of all histories of n periods sum to 1") {
  // A pattern (x, t_x) stands for C(t_x - 1, x - 1) histories.
  const BgBbParameters p{1.204, 0.750, 0.657, 2.783};
  const int n = 6;
  double total = std::exp(bg_bb_log_likelihood(p, 0, 0, n));
  for (int t_x = 1; t_x <= n; ++t_x) {
    for (int x = 1; x <= t_x; ++x) {
      const double histories = std::exp(log_gamma(t_x) - log_gamma(x) - log_gamma(t_x - x + 1));
      total += histories * std::exp(bg_bb_log_likelihood(p, x, t_x, n));
    }
  }
  CHECK(total == doctest::Approx(1).epsilon(1e-12));
}

TEST_CASE("bg/bb: expectations against sums and integrals") {
  const BgBbParameters p{1.204, 0.750, 0.657, 2.783};
  // FHS eq. 7 against alpha/(alpha+beta) sum_k B(gamma, delta+k)/B(gamma, delta), mpmath.
  CHECK(bg_bb_expected_transactions(p, 6) == doctest::Approx(2.2196313934872989).epsilon(1e-12));
  CHECK(bg_bb_expected_transactions(p, 0) == 0);
  // gamma = 1: (1/3) sum_{k=1}^{6} 2/(2+k).
  CHECK(bg_bb_expected_transactions({1, 2, 1, 2}, 6) ==
        doctest::Approx(0.8119047619047619).epsilon(1e-12));
  CHECK(bg_bb_expected_transactions({1, 2, 1 + 1e-9, 2}, 6) ==
        doctest::Approx(0.8119047619047619).epsilon(1e-7));
  // The conditional expectation for x = 3, t_x = 4, n = 6 over n* = 5, by
  // mpmath's double integral over p and theta; and its likelihood.
  CHECK(bg_bb_conditional_expected_transactions(p, 5, 3, 4, 6) ==
        doctest::Approx(1.0342284984211045).epsilon(1e-9));
  CHECK(bg_bb_log_likelihood(p, 3, 4, 6) == doctest::Approx(-5.0593079474111037).epsilon(1e-9));
  CHECK(bg_bb_conditional_expected_transactions(p, 0, 3, 4, 6) == 0);
}

TEST_CASE("bg/bb: the likelihood's recurrence agrees with summing log-betas term by term") {
  // The sum over the periods after t_x, term by term as FHS write it.
  auto direct = [](const BgBbParameters& p, int x, int t_x, int n) {
    const double lb = log_beta(p.alpha, p.beta), ld = log_beta(p.gamma, p.delta);
    double total = log_beta(p.alpha + x, p.beta + n - x) - lb + log_beta(p.gamma, p.delta + n) - ld;
    for (int i = 0; i < n - t_x; ++i) {
      total = log_add_exp(total, log_beta(p.alpha + x, p.beta + t_x - x + i) - lb +
                                     log_beta(p.gamma + 1, p.delta + t_x + i) - ld);
    }
    return total;
  };
  for (const BgBbParameters& p :
       {BgBbParameters{1.204, 0.750, 0.657, 2.783}, BgBbParameters{0.05, 40, 3, 0.2},
        BgBbParameters{15583, 0.078, 7.5e7, 2.5e7}}) {
    for (const auto& entry : {std::array<int, 3>{0, 0, 1},
                              {0, 0, 1000},
                              {3, 4, 6},
                              {5, 20, 2000},
                              {7, 7, 7},
                              {1, 1, 365}}) {
      // Named, not a structured binding: clang 14 cannot capture one.
      const int x = entry[0];
      const int t_x = entry[1];
      const int n = entry[2];
      CAPTURE(x);
      CAPTURE(t_x);
      CAPTURE(n);
      CHECK(bg_bb_log_likelihood(p, x, t_x, n) ==
            doctest::Approx(direct(p, x, t_x, n)).epsilon(1e-11));
    }
  }
}

}  // namespace
}  // namespace cjsim
