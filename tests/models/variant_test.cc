// apply_variant: CTA and channel changes, the unknown-name error, and that
// the result is an ordinary scenario with no variants left.

#include "models/variant.h"

#include <string>

#include <doctest/doctest.h>
#include <google/protobuf/util/message_differencer.h>

#include "tests/test_support.h"

namespace cjsim {
namespace {

using google::protobuf::util::MessageDifferencer;
using testing::kSmallJourney;
using testing::parse_text;

// kSmallJourney with a paid social channel and a few more variants.
v1::Scenario scenario_with_variants() {
  return parse_text(std::string(kSmallJourney) + R"(
variants { name: "scaled" cta_changes { touchpoint: "page" act_probability_scale: 1.5 } }
variants { name: "relabel" cta_changes { touchpoint: "ad" label: "Buy now" } }
variants { name: "budget" channel_changes { channel: "social" weekly_budget: 700 } }
variants { name: "double" channel_changes { channel: "web" budget_scale: 2 } }
variants { name: "off" channel_changes { channel: "web" enabled: false } }
variants {
  name: "mixed"
  cta_changes { touchpoint: "ad" act_probability: 0.2 label: "Try" }
  cta_changes { touchpoint: "page" act_probability_scale: 0.5 }
  channel_changes { channel: "social" budget_scale: 0 enabled: true }
}
)");
}

v1::Scenario applied(const v1::Scenario& scenario, const std::string& name) {
  Diagnostics diagnostics;
  std::optional<v1::Scenario> result = apply_variant(scenario, name, diagnostics);
  REQUIRE(result);
  CHECK(diagnostics.items().empty());
  return *result;
}

v1::Scenario with_web_budget(double budget) {
  v1::Scenario s = scenario_with_variants();
  s.mutable_channels(1)->set_weekly_budget(budget);
  return s;
}

TEST_CASE("variant: act_probability replaces the CTA's probability") {
  const v1::Scenario base = scenario_with_variants();
  v1::Scenario bold = applied(base, "bold");
  CHECK(bold.touchpoints(0).cta().act_probability() == 0.6);
  CHECK(bold.touchpoints(0).cta().label() == "Learn more");  // unchanged

  // Nothing else changes but the variant list.
  v1::Scenario expected = base;
  expected.clear_variants();
  expected.mutable_touchpoints(0)->mutable_cta()->set_act_probability(0.6);
  CHECK(MessageDifferencer::Equals(bold, expected));
}

TEST_CASE("variant: act_probability_scale multiplies it") {
  v1::Scenario scaled = applied(scenario_with_variants(), "scaled");
  CHECK(scaled.touchpoints(1).cta().act_probability() == doctest::Approx(0.75));
  CHECK(scaled.touchpoints(0).cta().act_probability() == 0.3);
}

TEST_CASE("variant: a label alone changes only the label") {
  v1::Scenario relabel = applied(scenario_with_variants(), "relabel");
  CHECK(relabel.touchpoints(0).cta().label() == "Buy now");
  CHECK(relabel.touchpoints(0).cta().act_probability() == 0.3);
}

TEST_CASE("variant: weekly_budget, budget_scale and enabled change channels") {
  v1::Scenario budget = applied(scenario_with_variants(), "budget");
  CHECK(budget.channels(0).weekly_budget() == 700);

  v1::Scenario doubled = applied(with_web_budget(150), "double");
  CHECK(doubled.channels(1).weekly_budget() == 300);
  CHECK(doubled.channels(0).weekly_budget() == 0);

  v1::Scenario off = applied(scenario_with_variants(), "off");
  CHECK(off.channels(1).has_enabled());
  CHECK_FALSE(off.channels(1).enabled());
  CHECK_FALSE(off.channels(0).has_enabled());
}

TEST_CASE("variant: several changes apply together") {
  v1::Scenario base = scenario_with_variants();
  base.mutable_channels(0)->set_weekly_budget(400);
  base.mutable_channels(0)->set_enabled(false);
  v1::Scenario mixed = applied(base, "mixed");
  CHECK(mixed.touchpoints(0).cta().act_probability() == 0.2);
  CHECK(mixed.touchpoints(0).cta().label() == "Try");
  CHECK(mixed.touchpoints(1).cta().act_probability() == 0.25);
  CHECK(mixed.channels(0).weekly_budget() == 0);
  CHECK(mixed.channels(0).enabled());
}

TEST_CASE("variant: the result has no variants and the input is untouched") {
  const v1::Scenario base = scenario_with_variants();
  const v1::Scenario copy = base;
  v1::Scenario result = applied(base, "mixed");
  CHECK(result.variants_size() == 0);
  CHECK(MessageDifferencer::Equals(base, copy));
  CHECK(result.name() == base.name());
}

TEST_CASE("variant: an unknown name is an error that lists the known variants") {
  const v1::Scenario base = scenario_with_variants();
  Diagnostics diagnostics;
  CHECK_FALSE(apply_variant(base, "bolt", diagnostics));
  REQUIRE(diagnostics.error_count() == 1);
  CHECK(diagnostics.items()[0].message ==
        "unknown variant 'bolt' (did you mean 'bold'?); the scenario defines: bold, scaled, "
        "relabel, budget, double, off, mixed");

  Diagnostics far;
  CHECK_FALSE(apply_variant(base, "completely_different", far));
  REQUIRE(far.error_count() == 1);
  CHECK(far.items()[0].message ==
        "unknown variant 'completely_different'; the scenario defines: bold, scaled, relabel, "
        "budget, double, off, mixed");

  v1::Scenario plain = parse_text(kSmallJourney);
  plain.clear_variants();
  Diagnostics none;
  CHECK_FALSE(apply_variant(plain, "bold", none));
  REQUIRE(none.error_count() == 1);
  CHECK(none.items()[0].message == "unknown variant 'bold'; the scenario defines no variants");
}

}  // namespace
}  // namespace cjsim
