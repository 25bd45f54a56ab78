// apply_variant: CTA, channel, journey, persona and horizon changes, the
// unknown-name error, and that the result is an ordinary scenario with no
// variants left; apply_and_validate_variant: errors name the variant.

#include "models/variant.h"

#include <string>

#include <doctest/doctest.h>
#include <google/protobuf/util/message_differencer.h>

#include "models/validation.h"
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

// kSmallJourney: ad -> page -> checkout (goal), page -> exit (delay 2).
v1::Scenario with_journey_variants() {
  return parse_text(std::string(kSmallJourney) + R"(
variants {
  name: "reminder"
  add_touchpoints { id: "reminder" stage: DECISION channel: "social" cta { act_probability: 0.4 } }
  add_edges { from: "exit" to: "reminder" delay_days: 3 }
  add_edges { from: "reminder" to: "checkout" }
}
variants { name: "no_exit" remove_touchpoints: "exit" }
variants { name: "direct" remove_edges { from: "page" to: "exit" } }
variants { name: "faster" edge_changes { from: "page" to: "exit" delay_days: 0 weight: 5 } }
variants {
  name: "people"
  persona_changes {
    persona: "young" share: 0.8 channel_affinity { key: "social" value: 0.9 }
    responsiveness { key: "awareness" value: 2 } memory_half_life_days: 3
    active_hours { values: [0,0,0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,0,0,0,0] }
  }
}
variants {
  name: "schedule"
  channel_changes { channel: "social" posting_hours { values: [1,1,1,1,1,1,1,1,1,1,1,1,0,0,0,0,0,0,0,0,0,0,0,0] } organic_reach: 0.2 }
}
variants { name: "short" horizon_days: 7 }
)");
}

TEST_CASE("variant: touchpoints and edges are added, removed and changed") {
  const v1::Scenario base = with_journey_variants();
  v1::Scenario reminder = applied(base, "reminder");
  CHECK(reminder.touchpoints_size() == base.touchpoints_size() + 1);
  CHECK(reminder.touchpoints(4).id() == "reminder");
  CHECK(reminder.edges_size() == base.edges_size() + 2);
  CHECK(reminder.edges(3).to() == "reminder");

  // Removing a touchpoint removes the edges into and out of it.
  v1::Scenario no_exit = applied(base, "no_exit");
  CHECK(no_exit.touchpoints_size() == base.touchpoints_size() - 1);
  for (const v1::Touchpoint& t : no_exit.touchpoints()) CHECK(t.id() != "exit");
  CHECK(no_exit.edges_size() == 2);
  for (const v1::Edge& e : no_exit.edges()) CHECK(e.to() != "exit");

  v1::Scenario direct = applied(base, "direct");
  CHECK(direct.edges_size() == 2);
  CHECK(direct.touchpoints_size() == base.touchpoints_size());

  v1::Scenario faster = applied(base, "faster");
  CHECK(faster.edges(2).delay_days() == 0);
  CHECK(faster.edges(2).weight() == 5);
  CHECK(faster.edges(1).weight() == 3);  // page -> checkout untouched
}

TEST_CASE("variant: persona, channel schedule and horizon changes") {
  const v1::Scenario base = with_journey_variants();
  v1::Scenario people = applied(base, "people");
  const v1::Persona& young = people.personas(0);
  CHECK(young.share() == 0.8);
  CHECK(young.channel_affinity().at("social") == 0.9);
  CHECK(young.responsiveness().at("awareness") == 2);
  CHECK(young.responsiveness().at("decision") == 1.2);  // kept
  CHECK(young.memory_half_life_days() == 3);
  CHECK(young.active_hours_size() == 24);
  CHECK(people.personas(1).share() == 0.4);

  v1::Scenario schedule = applied(base, "schedule");
  CHECK(schedule.channels(0).posting_hours_size() == 24);
  CHECK(schedule.channels(0).posting_hours(12) == 0);
  CHECK(schedule.channels(0).organic_reach() == 0.2);

  CHECK(applied(base, "short").simulation().horizon_days() == 7);
}

TEST_CASE(
    "regression: a goal's value or kind could change only by removing and re-adding its "
    "touchpoint") {
  // Re-added, the touchpoint moved to the end of the list; changed in place,
  // it keeps its index (and so its random draws: tests/cli/compare_test.cc).
  const v1::Scenario base = parse_text(std::string(kSmallJourney) + R"(
variants { name: "dearer" goal_changes { touchpoint: "checkout" value: 55 } }
variants { name: "renamed" goal_changes { touchpoint: "checkout" kind: "order" } }
variants {
  name: "both_and_added"
  add_touchpoints { id: "gift" stage: DECISION channel: "web" goal { kind: "donation" value: 5 } }
  add_edges { from: "page" to: "gift" }
  goal_changes { touchpoint: "checkout" value: 0 kind: "trial" }
  goal_changes { touchpoint: "gift" value: 7 }
  goal_changes { touchpoint: "gift" value: 9 }
}
)");
  Diagnostics diagnostics;
  REQUIRE(validate_scenario(base, nullptr, diagnostics));
  v1::Scenario dearer = applied(base, "dearer");
  v1::Scenario expected = base;
  expected.clear_variants();
  expected.mutable_touchpoints(2)->mutable_goal()->set_value(55);
  CHECK(MessageDifferencer::Equals(dearer, expected));

  v1::Scenario renamed = applied(base, "renamed");
  CHECK(renamed.touchpoints(2).goal().kind() == "order");
  CHECK(renamed.touchpoints(2).goal().value() == 40);  // kept

  // Both at once (0 is a value); on a touchpoint the variant adds; in order.
  v1::Scenario both = applied(base, "both_and_added");
  CHECK(both.touchpoints(2).goal().kind() == "trial");
  CHECK(both.touchpoints(2).goal().value() == 0);
  CHECK(both.touchpoints(4).goal().value() == 9);
  CHECK(both.touchpoints(4).goal().kind() == "donation");
}

TEST_CASE("variant: a variant that breaks the scenario is refused with its name") {
  const v1::Scenario base = parse_text(std::string(kSmallJourney) + R"(
variants { name: "orphan" remove_touchpoints: "ad" }
variants { name: "loud" persona_changes { persona: "old" channel_affinity { key: "web" value: 1.5 } } }
variants { name: "off" channel_changes { channel: "social" enabled: false } }
)");
  Diagnostics diagnostics;
  CHECK(validate_scenario(base, nullptr, diagnostics));
  for (const auto& entry : std::vector<std::pair<std::string, std::string>>{
           {"orphan", "with variant 'orphan': no entry touchpoint"},
           {"loud",
            "with variant 'loud': persona 'old' channel_affinity['web']: 1.5 is not in "
            "[0, 1]"},
           {"off", "with variant 'off': no entry touchpoint"}}) {
    // Named, not a structured binding: clang 14 cannot capture one.
    const auto& name = entry.first;
    const auto& message = entry.second;
    Diagnostics d;
    CAPTURE(name);
    CHECK_FALSE(apply_and_validate_variant(base, name, d));
    CHECK(d.to_string().find(message) != std::string::npos);
  }
}

TEST_CASE("variant: references of journey edits are checked against the edited scenario") {
  const v1::Scenario base = parse_text(std::string(kSmallJourney) + R"(
variants { name: "a" remove_touchpoints: "nowhere" }
variants { name: "b" add_touchpoints { id: "page" stage: DECISION channel: "web" } }
variants { name: "c" remove_touchpoints: "exit" cta_changes { touchpoint: "exit" label: "x" } }
variants { name: "d" edge_changes { from: "ad" to: "checkout" weight: 2 } }
variants { name: "e" remove_edges { from: "ad" to: "exit" } }
variants { name: "f" persona_changes { persona: "kids" share: 1 } }
variants { name: "g" persona_changes { persona: "old" } }
variants { name: "long" horizon_days: 100000 }
variants {
  name: "h"
  add_touchpoints { id: "new" stage: DECISION channel: "web" cta { act_probability: 0.5 } }
  add_edges { from: "page" to: "new" }
  cta_changes { touchpoint: "new" act_probability: 0.9 }
}
)");
  Diagnostics diagnostics;
  CHECK_FALSE(validate_scenario(base, nullptr, diagnostics));
  const std::string text = diagnostics.to_string();
  CAPTURE(text);
  CHECK(text.find("variant 'a' remove_touchpoints[0]: unknown touchpoint 'nowhere'") !=
        std::string::npos);
  CHECK(text.find("variant 'b' add_touchpoints[0] id: touchpoint 'page' exists already") !=
        std::string::npos);
  CHECK(text.find("variant 'c' cta_changes[0] touchpoint: touchpoint 'exit' is removed by this "
                  "variant") != std::string::npos);
  CHECK(text.find("variant 'd' edge_changes[0]: there is no edge 'ad' -> 'checkout' to change") !=
        std::string::npos);
  CHECK(text.find("variant 'e' remove_edges[0]: the scenario has no edge 'ad' -> 'exit'") !=
        std::string::npos);
  CHECK(text.find("variant 'f' persona_changes[0] persona: unknown persona 'kids'") !=
        std::string::npos);
  CHECK(text.find("variant 'g' persona_changes[0]: changes nothing") != std::string::npos);
  CHECK(text.find("variant 'long' horizon_days: 100000 is not in [1, 36500]") != std::string::npos);
  CHECK(text.find("variant 'h'") == std::string::npos);  // its references are all fine
  CHECK(diagnostics.error_count() == 8);
}

TEST_CASE("variant: several changes of one edge or one CTA apply in order") {
  v1::Scenario scenario = parse_text(std::string(kSmallJourney) + R"(
variants {
  name: "twice"
  edge_changes { from: "page" to: "exit" weight: 2 }
  edge_changes { from: "page" to: "exit" weight: 7 delay_days: 1 }
  cta_changes { touchpoint: "page" act_probability: 0.1 }
  cta_changes { touchpoint: "page" act_probability_scale: 2 }
}
)");
  const v1::Scenario result = applied(scenario, "twice");
  CHECK(result.edges(2).weight() == 7);
  CHECK(result.edges(2).delay_days() == 1);
  CHECK(result.touchpoints(1).cta().act_probability() == doctest::Approx(0.2));
}

// Found while writing the fuzz targets: each edit of a variant searched the
// scenario's edges or touchpoints, and validation searched the edges again
// for each edge edit, so a 5 MB file with a variant of 20,000 edits on as
// many edges took 43 s (a 25 MB one, tens of minutes).
TEST_CASE("variant: regression: each edit searched every edge and touchpoint") {
  v1::Scenario scenario = parse_text(kSmallJourney);
  scenario.clear_variants();
  v1::Variant* variant = scenario.add_variants();
  variant->set_name("many");
  constexpr int kEdits = 20000;
  for (int i = 0; i < kEdits; ++i) {
    const std::string id = "t" + std::to_string(100000 + i);
    v1::Touchpoint* t = scenario.add_touchpoints();
    t->set_id(id);
    t->set_stage(v1::AWARENESS);
    t->set_channel("social");
    t->set_entry_weight(1);
    t->mutable_cta()->set_act_probability(0.5);
    v1::Edge* e = scenario.add_edges();
    e->set_from(id);
    e->set_to("checkout");
    if (i % 2 == 0) {
      v1::EdgeRef* r = variant->add_remove_edges();
      r->set_from(id);
      r->set_to("checkout");
      // Without its edge the touchpoint is a dead end: act_probability may go.
      variant->add_cta_changes()->set_touchpoint(id);
      variant->mutable_cta_changes(variant->cta_changes_size() - 1)->set_label("gone");
    } else {
      v1::EdgeChange* c = variant->add_edge_changes();
      c->set_from(id);
      c->set_to("checkout");
      c->set_weight(2);
      v1::CtaChange* cta = variant->add_cta_changes();
      cta->set_touchpoint(id);
      cta->set_act_probability(0.25);
    }
  }
  // Its time is not checked (no timed unit tests: docs/reliability.md
  // "Answers"): 43 s before the fix, about 1.5 s after, which the suite's
  // time shows. The case keeps the results of a variant this large right.
  Diagnostics diagnostics;
  REQUIRE_MESSAGE(validate_scenario(scenario, nullptr, diagnostics), diagnostics.to_string());
  std::optional<v1::Scenario> result = apply_and_validate_variant(scenario, "many", diagnostics);
  REQUIRE_MESSAGE(result, diagnostics.to_string());
  CHECK(result->edges_size() == scenario.edges_size() - kEdits / 2);
  for (const v1::Edge& e : result->edges()) {
    if (e.from().front() == 't') CHECK(e.weight() == 2);
  }
  CHECK(result->touchpoints(5).cta().act_probability() == 0.25);
  CHECK(result->touchpoints(4).cta().label() == "gone");
}

}  // namespace
}  // namespace cjsim
