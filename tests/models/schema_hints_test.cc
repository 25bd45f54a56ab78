// Hints from the schema: field names, the closest one, enum choices.

#include "models/schema_hints.h"

#include <algorithm>

#include <doctest/doctest.h>

#include "cjsim/v1/scenario.pb.h"

namespace cjsim {
namespace {

TEST_CASE("schema hints: field names, with JSON names where they differ") {
  const auto& simulation = *v1::Simulation::descriptor();
  const std::vector<std::string> proto = field_names(simulation);
  REQUIRE(proto.size() == 8);
  CHECK(proto.front() == "horizon_days");
  const std::vector<std::string> both = field_names(simulation, true);
  // horizonDays, startDate and parameterDraws; agents, seed, ... are the
  // same in both.
  CHECK(both.size() == 11);
  CHECK(std::count(both.begin(), both.end(), "horizonDays") == 1);
  CHECK(std::count(both.begin(), both.end(), "startDate") == 1);
}

TEST_CASE("schema hints: an unknown field gets the closest name of its message") {
  const auto& channel = *v1::Channel::descriptor();
  CHECK(unknown_field_message(channel, "weekly_budgt") ==
        "Channel has no field 'weekly_budgt' (did you mean 'weekly_budget'?)");
  CHECK(unknown_field_message(channel, "weeklyBudget") ==
        "Channel has no field 'weeklyBudget' (did you mean 'weekly_budget'?)");
  CHECK(unknown_field_message(channel, "weeklyBudgt", true) ==
        "Channel has no field 'weeklyBudgt' (did you mean 'weeklyBudget'?)");
  CHECK(unknown_field_message(channel, "colour") == "Channel has no field 'colour'");
}

TEST_CASE("schema hints: enum choices and an unknown enum value") {
  const auto& stage = *v1::Stage_descriptor();
  CHECK(enum_choices(stage) == "AWARENESS, CONSIDERATION, DECISION or LOYALTY");
  CHECK(unknown_enum_value_message(stage, "AWARENES") ==
        "'AWARENES' is not a Stage; did you mean AWARENESS? use AWARENESS, CONSIDERATION, "
        "DECISION or LOYALTY");
  CHECK(unknown_enum_value_message(stage, "loyalty") ==
        "'loyalty' is not a Stage; did you mean LOYALTY? use AWARENESS, CONSIDERATION, "
        "DECISION or LOYALTY");
  CHECK(unknown_enum_value_message(stage, "x") ==
        "'x' is not a Stage; use AWARENESS, CONSIDERATION, DECISION or LOYALTY");
}

TEST_CASE("schema hints: the enum type of a field name, found across the schema") {
  const auto& scenario = *v1::Scenario::descriptor();
  // Touchpoint.stage, and in variants' add_touchpoints too: one type.
  CHECK(enum_of_field_named(scenario, "stage") == v1::Stage_descriptor());
  CHECK(enum_of_field_named(scenario, "landing_stage") == v1::Stage_descriptor());
  CHECK(enum_of_field_named(scenario, "name") == nullptr);  // not an enum
  CHECK(enum_of_field_named(scenario, "nope") == nullptr);
}

}  // namespace
}  // namespace cjsim
