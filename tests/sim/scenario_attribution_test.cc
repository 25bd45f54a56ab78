// `cjsim attribute SCENARIO` (sim/scenario_attribution.h) against removal
// effects derived by hand, exactly and by simulation within its interval.

#include <doctest/doctest.h>

#include "sim/scenario_attribution.h"
#include "tests/test_support.h"

namespace cjsim {
namespace {

using testing::covers;
using testing::parse_text;

using testing::kTwoEntryJourney;

constexpr double kRate = 0.475;
constexpr double kWithoutSocial = 0.375;

const v1::ChannelAttribution& channel(const v1::AttributionResult& r, const std::string& id) {
  for (const v1::ChannelAttribution& c : r.channels()) {
    if (c.channel() == id) return c;
  }
  FAIL("no channel " << id);
  return r.channels(0);
}

TEST_CASE("attribute scenario: exact removal effects are the hand-derived ones") {
  ScenarioAttributionSettings settings;
  settings.exact = true;
  const v1::Scenario scenario = parse_text(kTwoEntryJourney);
  REQUIRE(scenario_attribution_problem(scenario, settings).empty());
  const v1::AttributionResult r = attribute_scenario(scenario, settings, nullptr);
  CHECK(r.exact());
  CHECK(r.conversions() == doctest::Approx(kRate * 100000).epsilon(1e-12));
  CHECK(r.value() == doctest::Approx(kRate * 100000 * 10).epsilon(1e-12));
  CHECK(r.conversion_probability() == doctest::Approx(kRate).epsilon(1e-12));
  CHECK(channel(r, "ads").removal_effect() == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(channel(r, "social").removal_effect() ==
        doctest::Approx(1 - kWithoutSocial / kRate).epsilon(1e-12));
  CHECK(channel(r, "social").conversions_lost().mean() ==
        doctest::Approx((kRate - kWithoutSocial) * 100000).epsilon(1e-12));
  // The website holds the goal: flagged, and no share of the removal credit,
  // which ads and social split in proportion 1 : (1 - 0.375 / 0.475).
  CHECK(channel(r, "website").holds_goal());
  CHECK_FALSE(channel(r, "ads").holds_goal());
  CHECK(channel(r, "website").conversions().at("removal") == 0);
  const double social = 1 - kWithoutSocial / kRate;
  CHECK(channel(r, "ads").conversions().at("removal") ==
        doctest::Approx(r.conversions() / (1 + social)).epsilon(1e-12));
  // First and last touch: the entrants' expected conversions per channel.
  CHECK(channel(r, "ads").conversions().at("first") ==
        doctest::Approx(0.75 * 0.5 * 100000).epsilon(1e-12));
  CHECK(channel(r, "social").conversions().at("last") ==
        doctest::Approx(0.25 * 0.8 * 0.5 * 100000).epsilon(1e-12));
  CHECK(r.credited_conversions() == doctest::Approx(r.conversions()).epsilon(1e-12));
}

TEST_CASE("attribute scenario: simulated removal effects cover the exact ones") {
  ScenarioAttributionSettings settings;
  const v1::AttributionResult r =
      attribute_scenario(parse_text(kTwoEntryJourney), settings, nullptr);
  CHECK_FALSE(r.exact());
  CHECK(r.provenance().replications() == 8);
  // Without ads no one converts in any replication: exactly 1.
  CHECK(channel(r, "ads").removal_effect() == 1.0);
  const v1::ChannelAttribution& social = channel(r, "social");
  CHECK(covers(social.removal(), 1 - kWithoutSocial / kRate));
  CHECK(covers(social.conversions_lost(), (kRate - kWithoutSocial) * 100000));
  CHECK(covers(social.value_removal(), 1 - kWithoutSocial / kRate));
  CHECK(social.removal().ci_low() < social.removal().ci_high());
  // First and last touch add up to the conversions (no repeats here).
  double first = 0;
  for (const v1::ChannelAttribution& c : r.channels()) first += c.conversions().at("first");
  CHECK(first == doctest::Approx(r.conversions()).epsilon(1e-9));
}

TEST_CASE("attribute scenario: a what-if without the only reaching channel reaches no one") {
  // One channel reaches people; switched off, no one is reached (the
  // exposure form is kept), rather than everyone entering on day 0.
  const v1::Scenario scenario = parse_text(R"scenario(
    simulation { horizon_days: 14 agents: 5000 replications: 4 seed: 3 }
    personas { id: "all" channel_affinity { key: "ads" value: 1 } }
    channels { id: "ads" organic_reach: 0.05 }
    channels { id: "website" }
    touchpoints { id: "a" stage: AWARENESS channel: "ads" cta { act_probability: 0.5 } entry_weight: 1 }
    touchpoints { id: "g" stage: DECISION channel: "website" goal { kind: "signup" } }
    edges { from: "a" to: "g" }
  )scenario");
  ScenarioAttributionSettings settings;
  const v1::AttributionResult r = attribute_scenario(scenario, settings, nullptr);
  CHECK(r.conversions() > 0);
  CHECK(channel(r, "ads").removal_effect() == 1.0);
}

TEST_CASE("attribute scenario: what it refuses, in the user's words") {
  ScenarioAttributionSettings settings;
  const std::string kinds = std::string(kTwoEntryJourney) + R"scenario(
    touchpoints { id: "v" stage: DECISION channel: "website" goal { kind: "volunteer" } }
    edges { from: "b" to: "v" }
  )scenario";
  CHECK(testing::contains(scenario_attribution_problem(parse_text(kinds), settings),
                          "2 kinds (purchase, volunteer)"));
  settings.goal_kind = "donation";
  CHECK(testing::contains(scenario_attribution_problem(parse_text(kinds), settings),
                          "--goal donation: the scenario has no goal of that kind"));
  settings.goal_kind = "volunteer";
  CHECK(scenario_attribution_problem(parse_text(kinds), settings).empty());
  settings.exact = true;
  CHECK(testing::contains(scenario_attribution_problem(parse_text(kinds), settings),
                          "several goal kinds"));
  // --exact needs the single-journey form.
  ScenarioAttributionSettings exact;
  exact.exact = true;
  const std::string reaching = std::string(kTwoEntryJourney) + R"scenario(
    personas { id: "fans" channel_affinity { key: "ads" value: 1 } }
  )scenario";
  v1::Scenario s = parse_text(reaching);
  s.mutable_channels(0)->set_organic_reach(0.1);
  CHECK(testing::contains(scenario_attribution_problem(s, exact), "--exact:"));
}

}  // namespace
}  // namespace cjsim
