// The scenario of a fitted path chain (sim/path_scenario.h): it loads and
// validates; the exact solve of it gives the data's conversion probability
// at every order; switching a channel off gives the chain's probability
// with the channel removed (the Markov removal); ids, stages, value and
// the size limits.

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "models/compiled_model.h"
#include "models/limits.h"
#include "models/path_log.h"
#include "models/scenario_loader.h"
#include "models/validation.h"
#include "sim/attribution.h"
#include "sim/exact_solver.h"
#include "sim/path_scenario.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::contains;
using testing::kFitPaths;

PathLog parse_log(const std::string& text, const PathLogOptions& options = {}) {
  Diagnostics diagnostics;
  std::optional<PathLog> log = parse_path_log(text, "paths.csv", options, diagnostics);
  REQUIRE_MESSAGE(log.has_value(), diagnostics.to_string());
  return *log;
}

MarkovChain fit(const PathLog& log, int order) {
  Result<MarkovChain> chain = fit_markov_chain(log, order);
  REQUIRE(chain.is_ok());
  return *chain;
}

PathScenario write(const PathLog& log, const MarkovChain& chain,
                   const PathScenarioOptions& options = {}) {
  Result<PathScenario> scenario = path_scenario(log, chain, options);
  REQUIRE_MESSAGE(scenario.is_ok(), scenario.status().message());
  return *scenario;
}

// Loads and validates the text as `cjsim validate` does; no error, no
// warning.
v1::Scenario load(const std::string& text) {
  Diagnostics diagnostics("fitted.textproto");
  std::optional<LoadedScenario> loaded =
      parse_scenario(text, ScenarioFormat::kText, "fitted.textproto", diagnostics);
  REQUIRE_MESSAGE(loaded.has_value(), diagnostics.to_string());
  CHECK_MESSAGE(validate_scenario(loaded->scenario, loaded->source_map.get(), diagnostics),
                diagnostics.to_string());
  CHECK_MESSAGE(diagnostics.items().empty(), diagnostics.to_string());
  return loaded->scenario;
}

// P(conversion) of the scenario with channel `off` ("" for none) switched
// off, solved exactly.
double exact_conversion(v1::Scenario scenario, const std::string& off = "") {
  for (v1::Channel& channel : *scenario.mutable_channels()) {
    if (channel.id() == off) channel.set_enabled(false);
  }
  Diagnostics diagnostics;
  REQUIRE_MESSAGE(validate_scenario(scenario, nullptr, diagnostics), diagnostics.to_string());
  const Result<ExactSolution> solution = solve_exact(compile(scenario, ""));
  REQUIRE_MESSAGE(solution.is_ok(), solution.status().message());
  return solution->conversion_rate;
}

bool starts_a_path(const PathLog& log, int32_t channel) {
  for (size_t k = 0; k < log.size(); ++k) {
    if (log.touches_of(k).front() == channel) return true;
  }
  return false;
}

TEST_CASE("path scenario: validates, and the exact solve gives the data's rate at orders 1 to 4") {
  for (const bool keep_repeats : {false, true}) {
    PathLogOptions options;
    options.keep_repeats = keep_repeats;
    const PathLog log = parse_log(kFitPaths, options);
    const double rate = log.total_conversions / (log.total_conversions + log.total_nulls);
    for (int order = 1; order <= 4; ++order) {
      CAPTURE(keep_repeats);
      CAPTURE(order);
      const MarkovChain chain = fit(log, order);
      const PathScenario written = write(log, chain);
      CHECK(written.touchpoints == chain.states + 1);
      CHECK(written.channels == 5);
      const v1::Scenario scenario = load(written.text);
      CHECK(scenario.touchpoints_size() == chain.states + 1);
      CHECK(scenario.edges_size() == written.edges);
      // The chain reproduces the data (flow conservation, at any order),
      // and the scenario the chain.
      CHECK(std::abs(exact_conversion(scenario) - rate) < 1e-9);
      CHECK(std::abs(AbsorbingSolver(chain).full().conversion_probability - rate) < 1e-12);
    }
  }
}

// Switches off, one at a time, the channels that start a path (`starting`)
// or those that do not, in the scenario of the chain of each order 1 to 3,
// and checks the exact solve against the chain's removal. Returns the
// channels checked per order.
int check_removals(bool starting) {
  const PathLog log = parse_log(kFitPaths);
  int checked = 0;
  for (int order = 1; order <= 3; ++order) {
    CAPTURE(order);
    const MarkovChain chain = fit(log, order);
    const AbsorbingSolver solver(chain);
    const PathScenario written = write(log, chain);
    const v1::Scenario scenario = load(written.text);
    checked = 0;
    for (int32_t c = 0; c < static_cast<int32_t>(log.channels.size()); ++c) {
      if (starts_a_path(log, c) != starting) continue;
      CAPTURE(log.channels[static_cast<size_t>(c)]);
      CHECK(std::abs(exact_conversion(scenario, written.channel_ids[static_cast<size_t>(c)]) -
                     solver.without(c).conversion_probability) < 1e-9);
      ++checked;
    }
  }
  return checked;
}

// Every path into a state whose window holds channel c passes through a
// state that ends in c (the touch of c), whose touchpoint is on c: so
// switching c off loses exactly the journeys the Markov removal loses, at
// any order, for a channel that starts no path.
TEST_CASE("path scenario: a channel switched off gives the chain's removal, orders 1 to 3") {
  CHECK(check_removals(false) == 2);
}

// The Markov removal also sends start -> (a state of c) to null: those
// journeys are lost. So does the engine: an agent whose entry touchpoint is
// on a switched-off channel does not start (docs/model.md section 5).
TEST_CASE("path scenario: a channel that starts paths, switched off, gives the chain's removal") {
  CHECK(check_removals(true) == 2);
}

TEST_CASE("path scenario: the mapping, number by number, on a one-state chain") {
  const PathLog log = parse_log(
      "path,total_conversions,total_conversion_value,total_null\n"
      "web,1,30,3\n"
      "web > mail,1,10,0\n");
  const PathScenario written = write(log, fit(log, 1));
  const std::string& t = written.text;
  CAPTURE(t);
  // web: 5 journeys, 1 converted there, 1 went to mail, 3 ended: act 2/5,
  // edges 1/2 each; mail: 1 journey, converted.
  CHECK(contains(t, "channels { id: \"web\" name: \"web\" }"));
  CHECK(contains(t, "cta { act_probability: 0.4 }"));
  CHECK(contains(t, "entry_weight: 1\n"));
  CHECK(contains(t, "edges { from: \"web\" to: \"mail\" weight: 0.5 }  # 1 of 2"));
  CHECK(contains(t, "edges { from: \"web\" to: \"conversion\" weight: 0.5 }  # 1 of 2"));
  CHECK(contains(t, "edges { from: \"mail\" to: \"conversion\" weight: 1 }"));
  CHECK(contains(t, "goal { kind: \"conversion\" value: 20 }"));
  CHECK(contains(t, "population: 5\n"));
  CHECK(contains(t, "horizon_days: 1\n"));
  CHECK(contains(t, "stage: CONSIDERATION"));
  CHECK(written.entries == 1);
  CHECK(written.edges == 3);
  const v1::Scenario scenario = load(t);
  CHECK(exact_conversion(scenario) == doctest::Approx(0.4).epsilon(1e-12));

  // Without a value column the goal has no value, and a comment says so.
  const PathLog no_value = parse_log("path,conversions,null\nweb,1,3\n");
  const std::string plain = write(no_value, fit(no_value, 1)).text;
  CHECK(contains(plain, "goal { kind: \"conversion\" }"));
  CHECK(contains(plain, "no value column"));
}

TEST_CASE("path scenario: ids made valid, readable and unique, order-2 windows, stages") {
  const PathLog log = parse_log(
      "path,total_conversions,total_null\n"
      "\"paid social > a_b\",1,1\n"
      "a b > conversion > a&b,2,1\n"
      "a_b > paid social,1,0\n");
  CHECK(log.channels == std::vector<std::string>{"a b", "a&b", "a_b", "conversion", "paid social"});
  CHECK(id_from_name("paid social") == "paid_social");
  CHECK(id_from_name("a->b") == "a-_b");
  CHECK(id_from_name("caf\xc3\xa9 & bar") == "caf_bar");
  CHECK(id_from_name("x.y-z_1") == "x.y-z_1");
  PathScenarioOptions options;
  options.stages = {v1::AWARENESS, v1::CONSIDERATION, v1::DECISION, v1::LOYALTY};
  const MarkovChain chain = fit(log, 2);
  const PathScenario written = write(log, chain, options);
  CHECK(written.channel_ids ==
        std::vector<std::string>{"a_b_2", "a_b_3", "a_b", "conversion", "paid_social"});
  CHECK(written.goal_channel_id == "conversion_2");
  CHECK(written.goal_id == "conversion");
  const v1::Scenario scenario = load(written.text);
  bool saw_window = false;
  for (const v1::Touchpoint& t : scenario.touchpoints()) {
    if (t.id() == "a_b_2__conversion") {
      saw_window = true;
      CHECK(t.name() == "a b > conversion");
      CHECK(t.channel() == "conversion");
      CHECK(t.stage() == v1::LOYALTY);
      CHECK(t.entry_weight() == 0);
    }
    if (t.id() == "start__paid_social") {
      CHECK(t.name() == "(start) > paid social");
      CHECK(t.stage() == kDefaultPathStage);  // no stage given for it
      CHECK(t.entry_weight() == doctest::Approx(1.0 / 3));
    }
    if (t.id() == written.goal_id) CHECK(t.stage() == kPathGoalStage);
  }
  CHECK(saw_window);
  CHECK(exact_conversion(scenario) == doctest::Approx(4.0 / 6).epsilon(1e-12));
}

TEST_CASE("path scenario: refused when there is nothing to reach or it is too large") {
  const PathLog log = parse_log(kFitPaths);
  const MarkovChain chain = fit(log, 1);

  PathScenarioOptions small;
  small.max_bytes = 2000;
  Result<PathScenario> too_long = path_scenario(log, chain, small);
  REQUIRE_FALSE(too_long.is_ok());
  CHECK(too_long.status().code() == Status::Code::kBadInput);
  CHECK(contains(too_long.status().message(), "longer than"));

  OrderCandidate size;
  size.states = limits::kMaxTouchpoints;
  size.transitions = 10;
  Status states = check_path_scenario_size(log, size);
  CHECK(contains(states.message(), "1000001 touchpoints"));
  size.states = 10;
  size.transitions = limits::kMaxEdges + 100;
  CHECK(contains(check_path_scenario_size(log, size).message(), "edges"));
  size.transitions = 10;
  CHECK(check_path_scenario_size(log, size).is_ok());
  PathLog wide = log;
  wide.channels.resize(limits::kMaxChannels, "x");
  CHECK(contains(check_path_scenario_size(wide, size).message(), "1001 channels"));

  const PathLog none = parse_log("path,total_conversions,total_null\na > b,0,4\n");
  Result<PathScenario> unreachable = path_scenario(none, fit(none, 1), {});
  REQUIRE_FALSE(unreachable.is_ok());
  CHECK(contains(unreachable.status().message(), "no journey converted"));
}

TEST_CASE("path scenario: the shared sample at orders 1 and 2, exactly the data's rate") {
  CJSIM_SKIP_WITHOUT_SHARED_DATA(path, "paths/paths_sample.csv");
  Diagnostics diagnostics;
  std::optional<PathLog> log = read_path_log(path, {}, diagnostics);
  REQUIRE(log.has_value());
  for (int order = 1; order <= 2; ++order) {
    CAPTURE(order);
    const PathScenario written = write(*log, fit(*log, order));
    const v1::Scenario scenario = load(written.text);
    CHECK(std::abs(exact_conversion(scenario) - 19785.0 / 88387.0) < 1e-9);
  }
}

}  // namespace
}  // namespace cjsim
