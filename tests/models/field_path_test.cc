// ScenarioField: the sweep paths, what they address, and the errors that
// name the wrong part.

#include "models/field_path.h"

#include <cmath>

#include <doctest/doctest.h>

#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::kSmallJourney;
using testing::parse_text;

ScenarioField parsed(const std::string& path, const v1::Scenario& s) {
  Result<ScenarioField> field = ScenarioField::parse(path, s);
  INFO(field.status().message());
  REQUIRE(field);
  return *field;
}

std::string error_of(const std::string& path) {
  const Result<ScenarioField> field = ScenarioField::parse(path, parse_text(kSmallJourney));
  CHECK_FALSE(field);
  CHECK(field.status().code() == Status::Code::kBadInput);
  return field.status().message();
}

TEST_CASE("field path: entities by id, nested messages, map entries, edges, simulation") {
  v1::Scenario s = parse_text(kSmallJourney);
  parsed("channels[social].weekly_budget", s).set(s, 700);
  CHECK(s.channels(0).weekly_budget() == 700);
  parsed("touchpoints[page].cta.act_probability", s).set(s, 0.8);
  CHECK(s.touchpoints(1).cta().act_probability() == 0.8);
  parsed("touchpoints[checkout].goal.value", s).set(s, 55);
  CHECK(s.touchpoints(2).goal().value() == 55);
  parsed("personas[old].share", s).set(s, 0.25);
  CHECK(s.personas(1).share() == 0.25);

  ScenarioField affinity = parsed("personas[old].channel_affinity[social]", s);
  CHECK_FALSE(affinity.get(s));  // not in the map yet
  affinity.set(s, 0.3);
  CHECK(s.personas(1).channel_affinity().at("social") == 0.3);
  affinity.set(s, 0.4);  // replaced, not added twice
  CHECK(s.personas(1).channel_affinity_size() == 1);
  CHECK(*affinity.get(s) == 0.4);
  parsed("personas[young].responsiveness[decision]", s).set(s, 2);
  CHECK(s.personas(0).responsiveness().at("decision") == 2);

  parsed("edges[page->exit].weight", s).set(s, 4);
  CHECK(s.edges(2).weight() == 4);
  CHECK(s.edges(1).weight() == 3);

  ScenarioField horizon = parsed("simulation.horizon_days", s);
  CHECK(horizon.is_integer());
  horizon.set(s, 45);
  CHECK(s.simulation().horizon_days() == 45);
  CHECK_FALSE(parsed("channels[web].cpm", s).is_integer());
  CHECK(*parsed("channels[social].weekly_budget", s).get(s) == 700);
}

TEST_CASE("field path: every edge between the same touchpoints is set") {
  v1::Scenario s = parse_text(std::string(kSmallJourney) + R"(edges { from: "ad" to: "page" })");
  parsed("edges[ad->page].delay_days", s).set(s, 2);
  CHECK(s.edges(0).delay_days() == 2);
  CHECK(s.edges(3).delay_days() == 2);
}

TEST_CASE(
    "regression: sweep values past an integer field's type wrapped (horizon 1e10 became "
    "-2147483648)") {
  const v1::Scenario s = parse_text(kSmallJourney);
  const ScenarioField horizon = parsed("simulation.horizon_days", s);
  CHECK(horizon.check_value(30).empty());
  CHECK(horizon.check_value(2147483647).empty());
  CHECK(horizon.check_value(1e10) ==
        "simulation.horizon_days is a 32-bit integer: 1e+10 is not a whole number in "
        "[-2147483648, 2147483647]");
  CHECK_FALSE(horizon.check_value(2147483648.0).empty());
  CHECK_FALSE(horizon.check_value(-2147483649.0).empty());
  CHECK_FALSE(horizon.check_value(1.5).empty());

  const ScenarioField seed = parsed("simulation.seed", s);
  CHECK(seed.check_value(0).empty());
  CHECK(seed.check_value(1e19).empty());
  CHECK(seed.check_value(-1) ==
        "simulation.seed is an unsigned 64-bit integer: -1 is not a whole number in [0, "
        "18446744073709551615]");
  CHECK_FALSE(seed.check_value(1e30).empty());
  CHECK_FALSE(seed.check_value(18446744073709551616.0).empty());  // 2^64

  const ScenarioField agents = parsed("simulation.agents", s);
  CHECK(agents.check_value(-9223372036854775808.0).empty());       // -2^63
  CHECK_FALSE(agents.check_value(9223372036854775808.0).empty());  // 2^63

  // Doubles take any finite number; nothing takes NaN or infinity.
  const ScenarioField budget = parsed("channels[web].weekly_budget", s);
  CHECK(budget.check_value(1e300).empty());
  CHECK(budget.check_value(std::nan("")) ==
        "channels[web].weekly_budget: nan is not a finite number");
  CHECK_FALSE(budget.check_value(HUGE_VAL).empty());
  CHECK_FALSE(horizon.check_value(std::nan("")).empty());
}

TEST_CASE("field path: errors quote the wrong part") {
  CHECK(error_of("channels[nope].weekly_budget") == "'channels[nope]': no channel 'nope'");
  CHECK(error_of("channels[socal].weekly_budget") ==
        "'channels[socal]': no channel 'socal' (did you mean 'social'?)");
  CHECK(error_of("channels[social].weekly_budgt") ==
        "'channels[social].weekly_budgt': Channel has no field 'weekly_budgt' (did you mean "
        "'weekly_budget'?)");
  CHECK(error_of("channels[social].name") ==
        "'channels[social].name': 'name' is not a number (it is a string)");
  CHECK(error_of("channels[social].posting_hours") ==
        "'channels[social].posting_hours': 'posting_hours' is a list; a sweep sets one number");
  CHECK(error_of("touchpoints[page].cta")
            .find("'touchpoints[page].cta': name a field: one of "
                  "label, act_probability") == 0);
  CHECK(error_of("edges[ad->exit].weight") ==
        "'edges[ad->exit]': the scenario has no edge from 'ad' to 'exit'");
  CHECK(error_of("edges[ad].weight") == "'edges[ad]': write an edge as edges[FROM->TO]");
  CHECK(error_of("budgets[x].y").find("'budgets': unknown part 'budgets'") == 0);
  CHECK(error_of("channels.weekly_budget") == "'channels': name one with channels[ID]");
  CHECK(error_of("personas[old].channel_affinity[tv]") ==
        "'personas[old].channel_affinity[tv]': no channel 'tv'");
  CHECK(error_of("personas[old].responsiveness[loyal]").find("unknown stage 'loyal'") !=
        std::string::npos);
  CHECK(error_of("personas[old].channel_affinity") ==
        "'personas[old].channel_affinity': 'channel_affinity' is a map; name an entry with "
        "channel_affinity[KEY]");
  CHECK(error_of("channels[social].weekly_budget.x") ==
        "'channels[social].weekly_budget': 'weekly_budget' is a number; it has no parts");
}

}  // namespace
}  // namespace cjsim
