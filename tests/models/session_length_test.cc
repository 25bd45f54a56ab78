// The expected session length: against closed forms of small chains, and
// against brute force (iterating t <- 1 + P t) on random journeys.

#include "models/session_length.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "models/formulas.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::parse_text;

// Touchpoints t0 .. t(n-1) on channel "web" with the given act
// probabilities, and the given edges.
v1::Scenario chain(const std::vector<double>& act, const std::string& edges,
                   const std::string& extra = "") {
  std::string text = "channels { id: \"web\" }\nchannels { id: \"off\" enabled: false }\n";
  for (size_t u = 0; u < act.size(); ++u) {
    text +=
        "touchpoints { id: \"t" + std::to_string(u) +
        "\" stage: AWARENESS channel: \"web\" cta { act_probability: " + std::to_string(act[u]) +
        " } }\n";
  }
  return parse_text(text + extra + edges);
}

SessionLength length_of(const v1::Scenario& s) {
  std::vector<double> act;
  for (const v1::Touchpoint& t : s.touchpoints()) act.push_back(t.cta().act_probability());
  JourneyGraph graph(s);
  return longest_session(s, graph, act);
}

TEST_CASE("session length: a path without loops is as long as its certain steps") {
  SessionLength l =
      length_of(chain({1, 1, 1}, R"(edges { from: "t0" to: "t1" } edges { from: "t1" to: "t2" })"));
  CHECK(l.steps == 3);
  CHECK(l.start == 0);
  CHECK(l.loop.empty());

  // Acting with 0.5 at each: 1 + 0.5 (1 + 0.5) = 1.75.
  l = length_of(
      chain({0.5, 0.5, 1}, R"(edges { from: "t0" to: "t1" } edges { from: "t1" to: "t2" })"));
  CHECK(l.steps == doctest::Approx(1.75).epsilon(1e-14));
}

TEST_CASE("session length: closed forms of loops") {
  // A self-loop acted on with p: geometric, 1 / (1 - p).
  for (double p : {0.1, 0.5, 0.9, 0.999}) {
    CAPTURE(p);
    SessionLength l = length_of(chain({p}, R"(edges { from: "t0" to: "t0" })"));
    CHECK(l.steps == doctest::Approx(1 / (1 - p)).epsilon(1e-12));
    CHECK(l.loop == std::vector<int>{0});
    CHECK(l.loop_steps == doctest::Approx(1 / (1 - p)).epsilon(1e-12));
  }
  // a <-> b acted on with p, b leaving to c with share s:
  // t(a) = 1 + p t(b), t(b) = 1 + p (s t(c) + (1 - s) t(a)), t(c) = 1.
  const double p = 0.9, s = 0.25;
  SessionLength l = length_of(chain({p, p, 0}, R"(
edges { from: "t0" to: "t1" }
edges { from: "t1" to: "t0" weight: 3 }
edges { from: "t1" to: "t2" weight: 1 })"));
  const double a = (1 + p * (1 + p * s)) / (1 - p * p * (1 - s));
  CHECK(l.steps == doctest::Approx(a).epsilon(1e-12));
  CHECK(l.start == 0);
  CHECK(l.loop == std::vector<int>{0, 1});

  // A delayed edge stays in the session only when its delay is 0:
  // probability 1 - q = 1 / (1 + d); d = 1 halves the continuation.
  l = length_of(chain({1}, R"(edges { from: "t0" to: "t0" delay_days: 1 })"));
  CHECK(l.steps == doctest::Approx(2).epsilon(1e-12));

  // An edge into a switched-off channel ends the walk: it counts in W(u).
  l = length_of(chain({1}, R"(edges { from: "t0" to: "t0" } edges { from: "t0" to: "x" })",
                      R"(touchpoints { id: "x" stage: AWARENESS channel: "off" })"));
  CHECK(l.steps == doctest::Approx(2).epsilon(1e-12));
}

TEST_CASE("session length: a loop left with a probability lost in rounding never ends") {
  SessionLength l = length_of(chain({1, 1, 1}, R"(
edges { from: "t0" to: "t1" }
edges { from: "t1" to: "t0" }
edges { from: "t1" to: "t2" weight: 1e-300 })"));
  CHECK(std::isinf(l.steps));
  CHECK(l.loop == std::vector<int>{0, 1});
  // Upstream of it, too: a session from t3 walks into it.
  l = length_of(chain({1, 1, 1, 0.5}, R"(
edges { from: "t3" to: "t0" }
edges { from: "t0" to: "t1" }
edges { from: "t1" to: "t0" }
edges { from: "t1" to: "t2" weight: 1e-300 })"));
  CHECK(std::isinf(l.steps));
  CHECK(l.loop == std::vector<int>{0, 1});
}

// t = 1 + P t by fixed-point iteration, from the scenario directly (no
// strong components): the brute force the solver must agree with.
std::vector<double> brute_force(const v1::Scenario& s) {
  const size_t n = static_cast<size_t>(s.touchpoints_size());
  std::vector<double> act;
  for (const v1::Touchpoint& t : s.touchpoints()) act.push_back(t.cta().act_probability());
  std::vector<double> total(n, 0.0);
  auto index = [&](const std::string& id) {
    for (size_t u = 0; u < n; ++u) {
      if (s.touchpoints(static_cast<int>(u)).id() == id) return u;
    }
    return n;
  };
  for (const v1::Edge& e : s.edges()) total[index(e.from())] += e.weight();
  std::vector<double> t(n, 1.0);
  for (int iteration = 0; iteration < 20000; ++iteration) {
    std::vector<double> next(n, 1.0);
    for (const v1::Edge& e : s.edges()) {
      const size_t u = index(e.from()), v = index(e.to());
      const double stay = 1 - formulas::delay_continue_probability(e.delay_days());
      next[u] += act[u] * e.weight() / total[u] * stay * t[v];
    }
    t = next;
  }
  return t;
}

TEST_CASE("session length: agrees with brute force on random journeys") {
  std::mt19937_64 random(20261206);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int trial = 0; trial < 40; ++trial) {
    CAPTURE(trial);
    const int n = 2 + trial % 9;
    std::vector<double> act;
    for (int u = 0; u < n; ++u) act.push_back(0.2 + 0.7 * unit(random));
    std::string edges;
    for (int k = 0; k < 2 * n; ++k) {
      const int from = static_cast<int>(random() % static_cast<uint64_t>(n));
      const int to = static_cast<int>(random() % static_cast<uint64_t>(n));
      edges += "edges { from: \"t" + std::to_string(from) + "\" to: \"t" + std::to_string(to) +
               "\" weight: " + std::to_string(0.1 + unit(random)) +
               (k % 3 == 0 ? " delay_days: 0.5" : "") + " }\n";
    }
    const v1::Scenario s = chain(act, edges);
    const std::vector<double> expected = brute_force(s);
    SessionLength l = length_of(s);
    CHECK(l.steps ==
          doctest::Approx(*std::max_element(expected.begin(), expected.end())).epsilon(1e-9));
    CHECK(l.steps == doctest::Approx(expected[static_cast<size_t>(l.start)]).epsilon(1e-9));
  }
}

}  // namespace
}  // namespace cjsim
