// Path attribution (sim/attribution.h): on the public 10,000-path sample
// (shared/data/paths, skipped when absent) the order-1 removal effects
// against an independent dense solve written here, and every method's
// credits against the totals; the Shapley value against its definition by
// subsets; the order-K chain against the paths when K covers every path;
// the choice of order on data with a second-order effect; the iterative
// solve against the direct one; the same figures on 1 and 2 threads.

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <tbb/task_arena.h>
#include <Eigen/Dense>

#include "models/path_log.h"
#include "sim/attribution.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

PathLog read_sample(const std::string& path) {
  Diagnostics diagnostics;
  std::optional<PathLog> log = read_path_log(path, {}, diagnostics);
  REQUIRE_MESSAGE(log.has_value(), diagnostics.to_string());
  return *log;
}

PathLog parse_log(const std::string& text, const PathLogOptions& options = {}) {
  Diagnostics diagnostics;
  std::optional<PathLog> log = parse_path_log(text, "test.csv", options, diagnostics);
  REQUIRE_MESSAGE(log.has_value(), diagnostics.to_string());
  return *log;
}

Attribution attribute(const PathLog& log, AttributionOptions options = {}) {
  Result<Attribution> result = attribute_paths(log, options);
  REQUIRE_MESSAGE(result.is_ok(), result.status().message());
  return *result;
}

const ChannelCredit& channel(const Attribution& a, const std::string& name) {
  for (const ChannelCredit& c : a.channels) {
    if (c.channel == name) return c;
  }
  FAIL("no channel " << name);
  return a.channels.front();
}

// P(conversion) of the first-order chain of `log` with channel `removed`
// (-1: none) sent to null, by dense linear algebra on counts taken from the
// paths here, independently of sim/attribution.cc.
double dense_conversion_probability(const PathLog& log, int removed) {
  const int n = static_cast<int>(log.channels.size());
  const int start = n;
  Eigen::MatrixXd counts = Eigen::MatrixXd::Zero(n + 1, n + 1);
  Eigen::VectorXd converted = Eigen::VectorXd::Zero(n + 1), out = Eigen::VectorXd::Zero(n + 1);
  for (size_t k = 0; k < log.size(); ++k) {
    const double journeys = log.conversions[k] + log.nulls[k];
    int from = start;
    for (int32_t to : log.touches_of(k)) {
      counts(from, to) += journeys;
      out[from] += journeys;
      from = to;
    }
    converted[from] += log.conversions[k];
    out[from] += journeys;
  }
  Eigen::MatrixXd q(n + 1, n + 1);
  Eigen::VectorXd r(n + 1);
  for (int s = 0; s <= n; ++s) {
    for (int t = 0; t <= n; ++t) q(s, t) = t == removed ? 0.0 : counts(s, t) / out[s];
    r[s] = converted[s] / out[s];
  }
  const Eigen::VectorXd absorbed =
      (Eigen::MatrixXd::Identity(n + 1, n + 1) - q).partialPivLu().solve(r);
  return absorbed[start];
}

TEST_CASE("attribution: order-1 removal effects on the sample match a dense exact solve to 1e-6") {
  CJSIM_SKIP_WITHOUT_SHARED_DATA(path, "paths/paths_sample.csv");
  const PathLog log = read_sample(path);
  CHECK(log.size() == 10000);
  CHECK(log.channels.size() == 12);
  CHECK(log.total_conversions == 19785);
  CHECK(log.total_nulls == 68602);
  CHECK(log.total_value == doctest::Approx(74803).epsilon(1e-5));
  AttributionOptions options;
  options.methods = {AttributionMethod::kMarkov};
  const Attribution a = attribute(log, options);
  CHECK(a.states == 12);
  const double full = dense_conversion_probability(log, -1);
  CHECK(full == doctest::Approx(19785.0 / (19785 + 68602)).epsilon(1e-12));
  CHECK(a.conversion_probability == doctest::Approx(full).epsilon(1e-12));
  // The fitted chain reproduces the data's conversion rate and value per
  // journey (flow conservation).
  const Result<MarkovChain> chain = fit_markov_chain(log, 1);
  REQUIRE(chain.is_ok());
  const AbsorbingSolver solver(*chain);
  CHECK(solver.full().conversion_probability == doctest::Approx(full).epsilon(1e-12));
  CHECK(solver.full().value_per_journey ==
        doctest::Approx(log.total_value / (19785 + 68602)).epsilon(1e-12));
  for (size_t c = 0; c < log.channels.size(); ++c) {
    CAPTURE(log.channels[c]);
    const double expected = 1 - dense_conversion_probability(log, static_cast<int>(c)) / full;
    CHECK(std::abs(a.channels[c].removal_effect - expected) < 1e-6);
  }
}

TEST_CASE("attribution: every method's credits add up to the totals on the sample") {
  CJSIM_SKIP_WITHOUT_SHARED_DATA(path, "paths/paths_sample.csv");
  const PathLog log = read_sample(path);
  const Attribution a = attribute(log);
  REQUIRE(a.methods.size() == 7);
  for (const std::string& method : a.methods) {
    CAPTURE(method);
    double conversions = 0, value = 0;
    for (const ChannelCredit& c : a.channels) {
      conversions += c.conversions.at(method);
      value += c.value.at(method);
    }
    CHECK(conversions == doctest::Approx(log.total_conversions).epsilon(1e-9));
    CHECK(value == doctest::Approx(log.total_value).epsilon(1e-9));
  }
}

// The Shapley value by its definition: sum over coalitions S without c of
// |S|! (n - |S| - 1)! / n! (v(S + c) - v(S)), v(S) = conversions of the
// paths whose channels all lie in S.
std::vector<double> shapley_by_subsets(const PathLog& log) {
  const int n = static_cast<int>(log.channels.size());
  std::vector<unsigned> sets;
  for (size_t k = 0; k < log.size(); ++k) {
    unsigned set = 0;
    for (int32_t c : log.touches_of(k)) set |= 1u << c;
    sets.push_back(set);
  }
  auto v = [&](unsigned coalition) {
    double sum = 0;
    for (size_t k = 0; k < sets.size(); ++k) {
      if ((sets[k] & ~coalition) == 0) sum += log.conversions[k];
    }
    return sum;
  };
  std::vector<double> factorial(static_cast<size_t>(n) + 1, 1);
  for (int i = 1; i <= n; ++i)
    factorial[static_cast<size_t>(i)] = factorial[static_cast<size_t>(i - 1)] * i;
  std::vector<double> phi(static_cast<size_t>(n), 0);
  for (int c = 0; c < n; ++c) {
    for (unsigned s = 0; s < (1u << n); ++s) {
      if (s & (1u << c)) continue;
      const int size = __builtin_popcount(s);
      const double weight = factorial[static_cast<size_t>(size)] *
                            factorial[static_cast<size_t>(n - size - 1)] /
                            factorial[static_cast<size_t>(n)];
      phi[static_cast<size_t>(c)] += weight * (v(s | (1u << c)) - v(s));
    }
  }
  return phi;
}

TEST_CASE("attribution: Shapley on a hand-computed example, and against its definition") {
  // v({a}) = 1, v({a,b}) = 3, v({b,c}) = 3, v({a,b,c}) = 6: a gets 1 + 2/2,
  // b 2/2 + 3/2, c 3/2.
  const PathLog hand =
      parse_log("path,total_conversions,total_null\na,1,1\na > b,2,0\nb > c,3,4\n");
  AttributionOptions options;
  options.methods = {AttributionMethod::kShapley};
  const Attribution a = attribute(hand, options);
  CHECK(channel(a, "a").conversions.at("shapley") == doctest::Approx(2.0));
  CHECK(channel(a, "b").conversions.at("shapley") == doctest::Approx(2.5));
  CHECK(channel(a, "c").conversions.at("shapley") == doctest::Approx(1.5));
  const std::vector<double> by_subsets = shapley_by_subsets(hand);
  for (size_t c = 0; c < 3; ++c) {
    CHECK(a.channels[c].conversions.at("shapley") == doctest::Approx(by_subsets[c]));
  }

  const PathLog mixed = parse_log(
      "path,total_conversions\n"
      "a > b > c,3\nd > a,1\ne > f > a > e,4\nb > b > f,2\nc > d > e > f > a,5\nf,7\nd,0.5\n");
  const Attribution m = attribute(mixed, options);
  const std::vector<double> expected = shapley_by_subsets(mixed);
  for (size_t c = 0; c < mixed.channels.size(); ++c) {
    CAPTURE(mixed.channels[c]);
    CHECK(m.channels[c].conversions.at("shapley") == doctest::Approx(expected[c]).epsilon(1e-12));
  }
}

TEST_CASE("attribution: position, time decay and linear on one path, repeats included") {
  const PathLog log = parse_log(
      "path,total_conversions,total_conversion_value\n"
      "a > b > c > d,1,10\nx > x > y,3,0\n");
  AttributionOptions options;
  options.methods = {AttributionMethod::kFirst, AttributionMethod::kLast,
                     AttributionMethod::kLinear, AttributionMethod::kPosition,
                     AttributionMethod::kTimeDecay};
  const Attribution a = attribute(log, options);
  CHECK(channel(a, "a").conversions.at("first") == 1);
  CHECK(channel(a, "d").conversions.at("last") == 1);
  CHECK(channel(a, "a").conversions.at("position") == doctest::Approx(0.4));
  CHECK(channel(a, "b").conversions.at("position") == doctest::Approx(0.1));
  CHECK(channel(a, "d").value.at("position") == doctest::Approx(4.0));
  // Half-life 1 touch: weights 1/8, 1/4, 1/2, 1 of 15/8.
  CHECK(channel(a, "c").conversions.at("time-decay") == doctest::Approx(0.5 / 1.875));
  // x > x > y: three touches as written, x two of them.
  CHECK(channel(a, "x").conversions.at("linear") == doctest::Approx(2.0));
  CHECK(channel(a, "y").conversions.at("linear") == doctest::Approx(1.0));
  // x > x > y: 40% to the first x, 20% to the middle x, 40% to y.
  CHECK(channel(a, "x").conversions.at("position") == doctest::Approx(3 * 0.6));
  // Weights 1/4, 1/2, 1 of 7/4: x gets 3/7 of 3.
  CHECK(channel(a, "x").conversions.at("time-decay") == doctest::Approx(3 * 0.75 / 1.75));
}

TEST_CASE(
    "attribution: with an order covering every path, a removal loses its paths' conversions") {
  // Windows of up to 4 touches are the paths' prefixes: the chain is their
  // tree, and removing a channel loses exactly the paths through it.
  const PathLog log = parse_log(
      "path,total_conversions,total_null\n"
      "a > b > c,3,2\nb > a,1,4\na > c > a > b,2,2\nc,5,1\nb > c > b,0,3\n");
  for (int order = 4; order <= kMaxMarkovOrder; ++order) {
    AttributionOptions options;
    options.order = order;
    options.methods = {AttributionMethod::kMarkov};
    const Attribution a = attribute(log, options);
    CHECK(a.order == order);
    CHECK(channel(a, "a").removal_effect == doctest::Approx((3.0 + 1 + 2) / 11));
    CHECK(channel(a, "b").removal_effect == doctest::Approx((3.0 + 1 + 2) / 11));
    CHECK(channel(a, "c").removal_effect == doctest::Approx((3.0 + 2 + 5) / 11));
  }
  AttributionOptions first_order;
  first_order.methods = {AttributionMethod::kMarkov};
  const Attribution a1 = attribute(log, first_order);
  CHECK(a1.states == 3);
  CHECK(a1.conversion_probability == doctest::Approx(11.0 / 23));
}

TEST_CASE("attribution: the iterative solve agrees with the direct one, on 1 and 2 threads") {
  CJSIM_SKIP_WITHOUT_SHARED_DATA(path, "paths/paths_sample.csv");
  const PathLog log = read_sample(path);
  AttributionOptions direct;
  direct.order = 3;
  direct.methods = {AttributionMethod::kMarkov};
  AttributionOptions iterative = direct;
  iterative.max_direct_block = 5;
  Attribution a, b, c;
  tbb::task_arena(1).execute([&] { a = attribute(log, direct); });
  tbb::task_arena(2).execute([&] { b = attribute(log, iterative); });
  tbb::task_arena(1).execute([&] { c = attribute(log, iterative); });
  REQUIRE(a.largest_component > 5);
  for (size_t k = 0; k < a.channels.size(); ++k) {
    CHECK(std::abs(a.channels[k].removal_effect - b.channels[k].removal_effect) < 1e-9);
    CHECK(b.channels[k].removal_effect == c.channels[k].removal_effect);
    CHECK(b.channels[k].value_removal_effect == c.channels[k].value_removal_effect);
  }
}

// Found by the path_log fuzz target: on one long path that loops through
// the same channels (every journey converting), BiCGSTAB reported
// convergence by its updated residual while the true residual was large,
// and the fitted chain's conversion probability came out wrong (an
// internal-error abort). The true residual now decides, with sparse LU as
// the fallback.
TEST_CASE("attribution: regression: BiCGSTAB's updated residual drifted from the true one") {
  const std::string loop =
      "eda > i>\x1b"
      "a > eda > i>\x1b"
      "a > alp> ioya >a & e>a alp> ioyalp> "
      "ioya >a & e>a alp> ioya >a & e>a";
  const PathLog log = parse_log("path;total_conversions\n" + loop + ";2\n");
  AttributionOptions direct;
  direct.order = 2;
  direct.methods = {AttributionMethod::kMarkov};
  AttributionOptions iterative = direct;
  iterative.max_direct_block = 3;
  const Attribution a = attribute(log, direct);
  const Attribution b = attribute(log, iterative);
  CHECK(b.conversion_probability == 1);
  for (size_t k = 0; k < a.channels.size(); ++k) {
    CHECK(b.channels[k].removal_effect == doctest::Approx(a.channels[k].removal_effect));
  }
}

TEST_CASE("attribution: --order auto prefers order 2 when the last two channels decide") {
  // Every path over a, b, c of 2 to 4 touches; a path converts mostly when
  // it ends "a > b", which the last channel alone cannot tell from "c > b".
  std::string text = "path,total_conversions,total_null\n";
  const char* names[] = {"a", "b", "c"};
  std::vector<std::vector<int>> paths = {{0}, {1}, {2}};
  for (int length = 2; length <= 4; ++length) {
    std::vector<std::vector<int>> longer;
    for (const auto& p : paths) {
      if (static_cast<int>(p.size()) != length - 1) continue;
      for (int c = 0; c < 3; ++c) {
        if (c == p.back()) continue;
        auto q = p;
        q.push_back(c);
        longer.push_back(q);
      }
    }
    for (const auto& p : longer) {
      std::string line;
      for (int c : p) line += (line.empty() ? "" : " > ") + std::string(names[c]);
      const bool ends_ab = p[p.size() - 2] == 0 && p.back() == 1;
      text += line + (ends_ab ? ",90,10\n" : ",10,90\n");
    }
    paths.insert(paths.end(), longer.begin(), longer.end());
  }
  const PathLog log = parse_log(text);
  std::vector<OrderCandidate> candidates;
  for (int order = 1; order <= kMaxMarkovOrder; ++order) {
    candidates.push_back(order_size(log, order));
    CHECK(candidates.back().states > 0);
    CHECK(candidates.back().memory_bytes > 0);
  }
  CHECK(candidates[0].states == 3);
  CHECK(candidates[1].states == 3 + 6);  // a, b, c and the six pairs
  score_orders(log, candidates);
  for (const OrderCandidate& c : candidates) CHECK(std::isfinite(c.held_out_log_likelihood));
  CHECK(candidates[1].held_out_log_likelihood > candidates[0].held_out_log_likelihood + 100);
  CHECK(best_order(candidates) == 2);
}

TEST_CASE("attribution: bad options are bad input") {
  const PathLog log = parse_log("path,total_conversions\na > b,1\n");
  AttributionOptions options;
  options.order = 7;
  Result<Attribution> seven = attribute_paths(log, options);
  REQUIRE_FALSE(seven.is_ok());
  CHECK(seven.status().code() == Status::Code::kBadInput);
  CHECK(seven.status().message() == "--order 7: the order is 1 to 6");
  options.order = 1;
  options.half_life = 0;
  Result<Attribution> decay = attribute_paths(log, options);
  REQUIRE_FALSE(decay.is_ok());
  CHECK(decay.status().message().find("--half-life") != std::string::npos);
}

TEST_CASE("attribution: paths that all convert warn, and removal effects are shares of journeys") {
  const PathLog log = parse_log("path,total_conversions\na > b,3\nb,1\n");
  const Attribution a = attribute(log);
  REQUIRE(a.warnings.size() == 1);
  CHECK(a.conversion_probability == 1);
  CHECK(channel(a, "a").removal_effect == doctest::Approx(0.75));
  CHECK(channel(a, "b").removal_effect == doctest::Approx(1.0));
}

}  // namespace
}  // namespace cjsim
