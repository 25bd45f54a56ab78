// JourneyGraph: reachability, strong components and the closed loops that
// validation refuses.

#include "models/journey_graph.h"

#include <algorithm>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::kSmallJourney;
using testing::parse_text;

// A scenario with touchpoints a, b, c on channel "web" (plus `extra`), and
// the given edges.
v1::Scenario loop_scenario(const std::string& edges, const std::string& extra = "") {
  return parse_text(R"(
channels { id: "web" }
touchpoints { id: "a" stage: AWARENESS channel: "web" cta { act_probability: 1 } }
touchpoints { id: "b" stage: AWARENESS channel: "web" cta { act_probability: 1 } }
touchpoints { id: "c" stage: AWARENESS channel: "web" cta { act_probability: 0.5 } }
)" + extra + edges);
}

// The CTA is certain: the `always_acts` of a persona with responsiveness 1.
auto certain(const v1::Scenario& s) {
  return [&s](int u) { return s.touchpoints(u).cta().act_probability() >= 1; };
}

TEST_CASE("journey graph: vertices and edges follow the scenario") {
  const v1::Scenario s = parse_text(kSmallJourney);
  JourneyGraph graph(s);
  CHECK(graph.touchpoint_count() == 4);
  CHECK(boost::num_edges(graph.graph()) == 3);
  CHECK(graph.index_of("ad") == 0);
  CHECK(graph.index_of("exit") == 3);
  CHECK_FALSE(graph.index_of("nowhere"));
  for (int i = 0; i < 4; ++i) CHECK(graph.is_enabled(i));
}

TEST_CASE("journey graph: edges with unknown ends are left out") {
  v1::Scenario s =
      parse_text(std::string(kSmallJourney) +
                 R"(edges { from: "ghost" to: "page" } edges { from: "page" to: "ghost" })");
  JourneyGraph graph(s);
  CHECK(boost::num_edges(graph.graph()) == 3);
}

TEST_CASE("journey graph: reachable_from") {
  const v1::Scenario s = parse_text(kSmallJourney);
  JourneyGraph graph(s);
  CHECK(graph.reachable_from({0}) == std::vector<bool>{true, true, true, true});
  CHECK(graph.reachable_from({1}) == std::vector<bool>{false, true, true, true});
  CHECK(graph.reachable_from({2}) == std::vector<bool>{false, false, true, false});
  CHECK(graph.reachable_from({2, 3}) == std::vector<bool>{false, false, true, true});
  CHECK(graph.reachable_from({}) == std::vector<bool>{false, false, false, false});
  CHECK(graph.reachable_from({0, 0, 1}) == std::vector<bool>{true, true, true, true});
}

TEST_CASE("journey graph: touchpoints on a disabled channel are not followed") {
  v1::Scenario s = parse_text(kSmallJourney);
  s.mutable_channels(1)->set_enabled(false);  // web: page, checkout, exit
  JourneyGraph graph(s);
  CHECK(graph.is_enabled(0));
  CHECK_FALSE(graph.is_enabled(1));
  CHECK_FALSE(graph.is_enabled(2));
  CHECK(graph.reachable_from({0}) == std::vector<bool>{true, false, false, false});

  // enabled: true is the same as unset.
  s.mutable_channels(1)->set_enabled(true);
  CHECK(JourneyGraph(s).reachable_from({0}) == std::vector<bool>{true, true, true, true});
}

TEST_CASE("journey graph: strong_components") {
  // a <-> b, b -> c: {a, b} and {c}.
  const v1::Scenario s = loop_scenario(R"(
edges { from: "a" to: "b" } edges { from: "b" to: "a" } edges { from: "b" to: "c" })");
  JourneyGraph graph(s);
  int count = 0;
  std::vector<int> component = graph.strong_components(&count);
  CHECK(count == 2);
  REQUIRE(component.size() == 3);
  CHECK(component[0] == component[1]);
  CHECK(component[0] != component[2]);

  int acyclic_count = 0;
  const v1::Scenario small = parse_text(kSmallJourney);
  JourneyGraph(small).strong_components(&acyclic_count);
  CHECK(acyclic_count == 4);
}

TEST_CASE("journey graph: a closed same-session cycle acted on with certainty is a closed loop") {
  const v1::Scenario s = loop_scenario(R"(
edges { from: "c" to: "a" } edges { from: "a" to: "b" } edges { from: "b" to: "a" })");
  JourneyGraph graph(s);
  CHECK(graph.closed_loops(certain(s)) == std::vector<std::vector<int>>{{0, 1}});
  // Whether people always act is the caller's question.
  CHECK(graph.closed_loops([](int) { return false; }).empty());
  CHECK(graph.closed_loops([](int u) { return u != 1; }).empty());
}

TEST_CASE("journey graph: a self-loop is a loop, a lone touchpoint is not") {
  const v1::Scenario s = loop_scenario(R"(edges { from: "a" to: "a" })");
  JourneyGraph graph(s);
  CHECK(graph.closed_loops(certain(s)) == std::vector<std::vector<int>>{{0}});
  // b is certain too, but has no edges: the session ends there.
  CHECK(graph.closed_loops([](int) { return true; }) == std::vector<std::vector<int>>{{0}});
}

TEST_CASE("journey graph: a way out, a delay or an uncertain CTA means no closed loop") {
  SUBCASE("an edge out") {
    const v1::Scenario s = loop_scenario(R"(
edges { from: "a" to: "b" } edges { from: "b" to: "a" } edges { from: "b" to: "c" })");
    CHECK(JourneyGraph(s).closed_loops(certain(s)).empty());
  }
  SUBCASE("a delay on an edge inside") {
    const v1::Scenario s = loop_scenario(R"(
edges { from: "a" to: "b" } edges { from: "b" to: "a" delay_days: 1 })");
    CHECK(JourneyGraph(s).closed_loops(certain(s)).empty());
  }
  SUBCASE("an act probability below 1") {
    const v1::Scenario s = loop_scenario(R"(
edges { from: "a" to: "c" } edges { from: "c" to: "a" })");
    CHECK(JourneyGraph(s).closed_loops(certain(s)).empty());
    CHECK(JourneyGraph(s).closed_loops([](int) { return true; }) ==
          std::vector<std::vector<int>>{{0, 2}});
  }
  SUBCASE("an edge into a touchpoint of a disabled channel, which ends the walk") {
    const v1::Scenario s = loop_scenario(R"(
edges { from: "a" to: "b" } edges { from: "b" to: "a" } edges { from: "b" to: "d" })",
                                         R"(
channels { id: "tv" enabled: false }
touchpoints { id: "d" stage: AWARENESS channel: "tv" })");
    JourneyGraph graph(s);
    CHECK_FALSE(graph.is_enabled(3));
    CHECK(graph.closed_loops(certain(s)).empty());
  }
}

TEST_CASE("journey graph: every closed loop is found") {
  const v1::Scenario s = loop_scenario(R"(
edges { from: "a" to: "a" } edges { from: "b" to: "c" } edges { from: "c" to: "b" })");
  std::vector<std::vector<int>> loops = JourneyGraph(s).closed_loops([](int) { return true; });
  std::sort(loops.begin(), loops.end());
  CHECK(loops == std::vector<std::vector<int>>{{0}, {1, 2}});
}

}  // namespace
}  // namespace cjsim
